import type { Redis } from "ioredis";
import type { MailKeys } from "./keys.ts";
import type { DeliveryResult, RecipientOutcome } from "./result.ts";

/** What the delivered-set knows about a job before it is sent. @since 0.1.0 */
export interface DeliveredState {
  /** Set when this job id's delivery is finished: its result. */
  finished: DeliveryResult | undefined;
  /** Every recipient of this Message-ID a server has answered for good, by any job. */
  outcomes: Map<string, RecipientOutcome>;
}

/**
 * The delivered-set: per Message-ID, a hash of recipient → outcome; per job id, the result
 * once the job's delivery is finished. Workers read it before a send and write it right
 * after the server's reply, in one MULTI/EXEC transaction, before BullMQ completes the job.
 * Entries expire after `ttl` milliseconds (keep it longer than any message stays queued).
 *
 * @since 0.1.0
 */
export class DeliveredSet {
  readonly #redis: Redis;
  readonly #keys: MailKeys;
  readonly #ttl: number;

  constructor(redis: Redis, keys: MailKeys, ttl: number) {
    this.#redis = redis;
    this.#keys = keys;
    this.#ttl = ttl;
  }

  /** One round trip: the job's result, if finished, and the Message-ID's outcomes. */
  async lookup(jobId: string, messageId: string): Promise<DeliveredState> {
    const replies = await this.#redis
      .pipeline()
      .get(this.#keys.sentJob(jobId))
      .hgetall(this.#keys.sent(messageId))
      .exec();
    if (!replies) throw new Error("the delivered-set lookup was not run");
    const [[jobError, finished], [hashError, hash]] = replies as [
      [Error | null, string | null],
      [Error | null, Record<string, string>],
    ];
    if (jobError) throw jobError;
    if (hashError) throw hashError;
    const outcomes = new Map<string, RecipientOutcome>();
    for (const [address, json] of Object.entries(hash ?? {})) {
      outcomes.set(address, JSON.parse(json) as RecipientOutcome);
    }
    return {
      finished: finished === null ? undefined : (JSON.parse(finished) as DeliveryResult),
      outcomes,
    };
  }

  /**
   * Records new recipient outcomes and, when the job's delivery is finished, its result:
   * all in one transaction, so a reader sees all of it or none of it.
   */
  async record(
    jobId: string,
    messageId: string,
    outcomes: ReadonlyMap<string, RecipientOutcome>,
    finished: DeliveryResult | undefined,
  ): Promise<void> {
    const multi = this.#redis.multi();
    if (outcomes.size > 0) {
      const key = this.#keys.sent(messageId);
      const fields: string[] = [];
      for (const [address, outcome] of outcomes) fields.push(address, JSON.stringify(outcome));
      multi.hset(key, ...fields).pexpire(key, this.#ttl);
    }
    if (finished) multi.set(this.#keys.sentJob(jobId), JSON.stringify(finished), "PX", this.#ttl);
    const replies = await multi.exec();
    for (const [error] of replies ?? []) if (error) throw error;
  }
}
