import { EventEmitter } from "node:events";
import type { ClientOptions } from "@smtp/client";
import { invalidInput } from "@smtp/core/internal";
import { Worker, type WorkerOptions } from "bullmq";
import { DEFAULT_RETRY, type RetryOptions, retryDelay } from "./backoff.ts";
import { ClientCache, type ClientFactory } from "./clients.ts";
import { bullConnection, openRedis, type RedisConnection } from "./connection.ts";
import { DeliveredSet } from "./delivered.ts";
import { Destinations, type RateLimit, type SlowDownOptions } from "./destination.ts";
import type { MailWorkerEvents } from "./events.ts";
import { DEFAULT_PREFIX, mailKeys } from "./keys.ts";
import { LocalLimiter } from "./local-limiter.ts";
import type { MailJobData } from "./message-data.ts";
import { MailMetrics } from "./metrics.ts";
import { type ClientSelector, processMailJob, RetryLater } from "./process-job.ts";
import type { DeliveryResult } from "./result.ts";

/** Rate limits of {@link createMailWorker}. @since 0.1.0 */
export interface MailLimiterOptions {
  /** This worker's sends: at most `max` per `duration` ms (each worker process has its own). */
  max?: number;
  /** The window of `max`, in milliseconds. */
  duration?: number;
  /** Per destination server (`host:port`), shared by every worker of the queue through Redis. */
  perDestination?: RateLimit;
}

/** Options of {@link createMailWorker}. @since 0.1.0 */
export interface MailWorkerOptions {
  /** Redis: a URL, ioredis options or an ioredis instance (with `maxRetriesPerRequest: null`). */
  connection: RedisConnection;
  /** The queue's name, as given to `createMailQueue`. */
  name: string;
  /** Key prefix, as given to `createMailQueue`. Default `"bull"`. */
  prefix?: string;
  /**
   * How to send: one set of `@smtp/client` options, or a function choosing them per message
   * (per tenant or per destination). Each distinct set gets its own pooled client (`pool:
   * true` unless the options say otherwise).
   */
  client: ClientOptions | ClientSelector;
  /** Jobs this worker sends at once. Default 10. */
  concurrency?: number;
  /** Rate limits: this worker's, and per destination for all workers. */
  limiter?: MailLimiterOptions;
  /** Back-off between attempts; the number of attempts is the queue's. */
  retry?: RetryOptions;
  /**
   * Retry a message whose end of data went out without an answer before the connection
   * failed (`@smtp/client`'s `detail: "maybe-delivered"`): the server may have it, so a
   * retry may duplicate it, and not retrying may lose it. Default true (a duplicate is
   * better than a loss); false fails the job at once.
   */
  retryMaybeDelivered?: boolean;
  /** How a `421` pauses its destination for all workers. */
  slowDown?: SlowDownOptions;
  /** How long the delivered-set remembers a message, in ms. Default 7 days. */
  deliveredTtl?: number;
  /** Most clients (pools) kept open at once; the least recently used is closed. Default 50. */
  maxClients?: number;
  /** Rate-limit waits up to this many ms happen in the worker; longer ones defer the job. Default 1,000. */
  maxInlineWait?: number;
  /** Start taking jobs at once. Default true; otherwise call `run()`. */
  autorun?: boolean;
  /**
   * BullMQ worker settings passed through (`lockDuration`, `stalledInterval`,
   * `maxStalledCount` …). `maxStalledCount` defaults to 3 here: a job whose worker died is
   * safe to run again, since the delivered-set keeps it from being sent twice.
   */
  workerOptions?: Omit<
    WorkerOptions,
    "connection" | "concurrency" | "autorun" | "prefix" | "settings"
  >;
  /** Makes the clients: `@smtp/client`'s `createClient` unless given (to wrap or instrument it). */
  createClient?: ClientFactory;
}

/** A running mail worker. Create it with {@link createMailWorker}. @since 0.1.0 */
export interface MailWorker {
  /** The queue's name. */
  readonly name: string;
  /** The BullMQ worker underneath. */
  readonly worker: Worker<MailJobData, DeliveryResult>;
  /** Counters and latencies, as a snapshot or in Prometheus' format. */
  readonly metrics: MailMetrics;
  /** Calls `listener` on each `event` (see {@link MailWorkerEvents}). */
  on<K extends keyof MailWorkerEvents>(
    event: K,
    listener: (...args: MailWorkerEvents[K]) => void,
  ): this;
  /** Calls `listener` on the next `event` only. */
  once<K extends keyof MailWorkerEvents>(
    event: K,
    listener: (...args: MailWorkerEvents[K]) => void,
  ): this;
  /** Removes a listener added with `on` or `once`. */
  off<K extends keyof MailWorkerEvents>(
    event: K,
    listener: (...args: MailWorkerEvents[K]) => void,
  ): this;
  /** Starts taking jobs (only needed with `autorun: false`). */
  run(): Promise<void>;
  /**
   * Graceful shutdown: takes no new job, lets the sends in flight finish (and records
   * them), closes the SMTP pools, then the Redis connections.
   */
  close(): Promise<void>;
}

const DAY = 24 * 60 * 60 * 1000;

function positive(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw invalidInput(`${field}: must be a positive number`);
  }
  return value;
}

function rateLimit(value: RateLimit | undefined, field: string): RateLimit | undefined {
  if (value === undefined) return undefined;
  return {
    max: positive(value.max, 0, `${field}.max`),
    duration: positive(value.duration, 0, `${field}.duration`),
  };
}

/**
 * Creates a worker that sends the mail queue's messages through `@smtp/client` pools.
 *
 * - Before each send it checks the delivered-set (by job id and Message-ID); right after
 *   the server's reply it records the outcome, in one transaction, and only then lets
 *   BullMQ complete the job.
 * - 4xx replies and network failures are retried with exponential back-off and jitter; a
 *   `421` also pauses its destination for every worker. 5xx replies and invalid input fail
 *   the job at once with the server's reply as its `failedReason`. Recipients already
 *   accepted are never sent to again.
 *
 * @example
 * ```ts
 * const worker = createMailWorker({
 *   connection: "redis://127.0.0.1:6379",
 *   name: "mail",
 *   client: { host: "smtp.example.com", auth: { user, pass } },
 *   concurrency: 20,
 *   limiter: { perDestination: { max: 50, duration: 1000 } },
 * });
 * worker.on("failed", (e) => console.error(e.jobId, e.reason));
 * process.on("SIGTERM", () => worker.close());
 * ```
 *
 * @since 0.1.0
 */
export function createMailWorker(options: MailWorkerOptions): MailWorker {
  if (typeof options?.name !== "string" || options.name === "") {
    throw invalidInput("name: must be a non-empty string");
  }
  if (
    typeof options.client !== "function" &&
    (typeof options.client !== "object" || !options.client)
  ) {
    throw invalidInput("client: must be client options or a function returning them");
  }
  const concurrency = positive(options.concurrency, 10, "concurrency");
  const limiter = options.limiter ?? {};
  const local =
    limiter.max === undefined && limiter.duration === undefined
      ? undefined
      : rateLimit({ max: limiter.max ?? 0, duration: limiter.duration ?? 0 }, "limiter");
  const retry = { ...DEFAULT_RETRY, ...options.retry };
  positive(retry.delay, 1, "retry.delay");
  positive(retry.maxDelay, 1, "retry.maxDelay");
  if (!(retry.jitter >= 0 && retry.jitter <= 1)) throw invalidInput("retry.jitter: must be 0 to 1");
  const slowDown = {
    delay: positive(options.slowDown?.delay, 5_000, "slowDown.delay"),
    maxDelay: positive(options.slowDown?.maxDelay, 300_000, "slowDown.maxDelay"),
  };

  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const keys = mailKeys(prefix, options.name);
  const redis = openRedis(options.connection);
  const metrics = new MailMetrics();
  const clients = new ClientCache(
    positive(options.maxClients, 50, "maxClients"),
    options.createClient,
  );
  const fixed = typeof options.client === "function" ? undefined : options.client;
  const select: ClientSelector = fixed ? () => fixed : (options.client as ClientSelector);
  const emitter = new EventEmitter<MailWorkerEvents>();

  const ctx = {
    delivered: new DeliveredSet(
      redis,
      keys,
      positive(options.deliveredTtl, 7 * DAY, "deliveredTtl"),
    ),
    destinations: new Destinations(
      redis,
      keys,
      rateLimit(limiter.perDestination, "limiter.perDestination"),
      slowDown,
    ),
    clients,
    select,
    localLimiter: local ? new LocalLimiter(local) : undefined,
    retry,
    retryMaybeDelivered: options.retryMaybeDelivered ?? true,
    maxInlineWait: positive(options.maxInlineWait, 1_000, "maxInlineWait"),
    metrics,
    emit: <K extends keyof MailWorkerEvents>(event: K, ...args: MailWorkerEvents[K]) => {
      (emitter.emit as (event: K, ...args: MailWorkerEvents[K]) => boolean)(event, ...args);
    },
    random: Math.random,
  };

  const worker = new Worker<MailJobData, DeliveryResult>(
    options.name,
    (job, token) => processMailJob(ctx, job, token),
    {
      maxStalledCount: 3,
      ...options.workerOptions,
      connection: bullConnection(options.connection),
      prefix,
      concurrency,
      autorun: options.autorun ?? true,
      settings: {
        backoffStrategy: (attemptsMade, _type, error) =>
          error instanceof RetryLater ? error.delay : retryDelay(attemptsMade, retry),
      },
    },
  );
  const onError = (error: Error) => {
    if (emitter.listenerCount("error") > 0) emitter.emit("error", error);
    else console.error(`@smtp/queue worker ${options.name}:`, error);
  };
  worker.on("error", onError);
  redis.on("error", onError);

  let closing: Promise<void> | undefined;
  return Object.assign(emitter, {
    name: options.name,
    worker,
    metrics,
    run: () => worker.run(),
    close() {
      closing ??= (async () => {
        await worker.close();
        await clients.closeAll();
        await redis.quit().catch(() => redis.disconnect());
      })();
      return closing;
    },
  });
}
