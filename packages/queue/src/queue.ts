import { SmtpError } from "@smtp/client";
import { invalidInput } from "@smtp/core/internal";
import { type JobsOptions, type KeepJobs, Queue } from "bullmq";
import { bullConnection, type RedisConnection } from "./connection.ts";
import { DEFAULT_PREFIX, JOB_NAME } from "./keys.ts";
import { type MailJobData, type QueueMessageInput, toStoredMessage } from "./message-data.ts";
import type { DeliveryResult } from "./result.ts";
import { checkMessage } from "./validate.ts";

/** The default limit of one stored message (JSON, attachment bytes as base64): 512 KiB. @since 0.1.0 */
export const DEFAULT_MAX_MESSAGE_BYTES = 512 * 1024;
/**
 * Attempts per message unless set: the first send and up to 9 retries, which with the
 * worker's default back-off span about 30 to 45 minutes (greylisting, short outages).
 *
 * @since 0.1.0
 */
export const DEFAULT_ATTEMPTS = 10;
/** BullMQ's highest priority number (the lowest priority). @since 0.1.0 */
export const MAX_PRIORITY = 2 ** 21 - 1;

/** Options of {@link createMailQueue}. @since 0.1.0 */
export interface MailQueueOptions {
  /** Redis: a URL, ioredis options or an ioredis instance. */
  connection: RedisConnection;
  /** The queue's name; workers of the same name (and prefix) take its messages. */
  name: string;
  /** Key prefix, BullMQ's `prefix`. Default `"bull"`. */
  prefix?: string;
  /**
   * Largest stored message in bytes: the message as JSON, attachment bytes as base64.
   * Default 512 KiB. Larger attachments go by `path`.
   */
  maxMessageBytes?: number;
  /** Attempts per message (first send included). Default 10. */
  attempts?: number;
  /** Which completed jobs BullMQ keeps. Default the last 1,000. */
  removeOnComplete?: KeepJobs | boolean | number;
  /** Which failed jobs BullMQ keeps. Default all (each holds the server's reply). */
  removeOnFail?: KeepJobs | boolean | number;
}

/** Per-message options of {@link MailQueue.enqueue}. @since 0.1.0 */
export interface EnqueueOptions {
  /** Milliseconds to wait before the first attempt. */
  delay?: number;
  /** 1 (first) to 2^21 − 1 (last); messages without a priority go before any with one (BullMQ's rule). */
  priority?: number;
  /**
   * The job id: enqueueing an id that is still in the queue adds nothing, and a worker never
   * sends a job id it has delivered (an idempotency key). Not all digits, no `:`.
   */
  jobId?: string;
  /** Attempts for this message, overriding the queue's. */
  attempts?: number;
}

/** One message of {@link MailQueue.enqueueMany}. @since 0.1.0 */
export interface EnqueueItem {
  /** The message. */
  message: QueueMessageInput;
  /** Its options, as for `enqueue`. */
  options?: EnqueueOptions;
}

/** A producer's handle on a mail queue. Create it with {@link createMailQueue}. @since 0.1.0 */
export interface MailQueue {
  /** The queue's name. */
  readonly name: string;
  /** The BullMQ queue underneath: counts, jobs, pausing, dashboards. */
  readonly queue: Queue<MailJobData, DeliveryResult>;
  /**
   * Checks the message (addresses, headers, attachments, size) and queues it; resolves with
   * the job id. A bad message throws `SmtpError` kind `invalid-input` and nothing is queued.
   */
  enqueue(message: QueueMessageInput, options?: EnqueueOptions): Promise<string>;
  /** Checks every message first, then queues all of them at once (one Redis transaction), or none. */
  enqueueMany(items: readonly EnqueueItem[]): Promise<string[]>;
  /** Closes the queue's Redis connections. */
  close(): Promise<void>;
}

function positiveInteger(value: unknown, field: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw invalidInput(`${field}: must be a positive integer`);
  }
  return value;
}

function jobOptions(options: EnqueueOptions, field: string): JobsOptions {
  if (typeof options !== "object" || options === null) {
    throw invalidInput(`${field}: must be an object`);
  }
  const job: JobsOptions = {};
  const { delay, priority, jobId, attempts } = options;
  if (delay !== undefined) {
    if (typeof delay !== "number" || !Number.isSafeInteger(delay) || delay < 0) {
      throw invalidInput(`${field}.delay: must be a whole number of milliseconds, 0 or more`);
    }
    job.delay = delay;
  }
  if (priority !== undefined) {
    if (positiveInteger(priority, `${field}.priority`) > MAX_PRIORITY) {
      throw invalidInput(`${field}.priority: must be 1 to ${MAX_PRIORITY}`);
    }
    job.priority = priority;
  }
  if (jobId !== undefined) {
    if (typeof jobId !== "string" || jobId === "" || /^\d+$/.test(jobId) || jobId.includes(":")) {
      throw invalidInput(`${field}.jobId: must be a non-empty string, not all digits, without ":"`);
    }
    job.jobId = jobId;
  }
  if (attempts !== undefined) job.attempts = positiveInteger(attempts, `${field}.attempts`);
  return job;
}

/** Runs `fn`, naming `field` in the message of an `invalid-input` error it throws. */
function within<T>(field: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (field === "message" || !(error instanceof SmtpError) || error.kind !== "invalid-input") {
      throw error;
    }
    throw invalidInput(`${field}: ${error.message}`, "invalid-input", error);
  }
}

/**
 * Creates a producer for the mail queue `name`: messages are checked and stored in Redis
 * by BullMQ, and sent by the workers of the same queue ({@link createMailWorker}).
 *
 * @example
 * ```ts
 * const mail = createMailQueue({ connection: "redis://127.0.0.1:6379", name: "mail" });
 * const id = await mail.enqueue({ from: "me@example.com", to: "you@example.org", subject: "Hi", text: "Hello" });
 * ```
 *
 * @since 0.1.0
 */
export function createMailQueue(options: MailQueueOptions): MailQueue {
  if (typeof options?.name !== "string" || options.name === "" || options.name.includes(":")) {
    throw invalidInput("name: must be a non-empty string without ':'");
  }
  const maxBytes =
    options.maxMessageBytes === undefined
      ? DEFAULT_MAX_MESSAGE_BYTES
      : positiveInteger(options.maxMessageBytes, "maxMessageBytes");
  const attempts =
    options.attempts === undefined
      ? DEFAULT_ATTEMPTS
      : positiveInteger(options.attempts, "attempts");
  const queue = new Queue<MailJobData, DeliveryResult>(options.name, {
    connection: bullConnection(options.connection),
    prefix: options.prefix ?? DEFAULT_PREFIX,
    defaultJobOptions: {
      attempts,
      // The delays are the worker's (`retry`): it knows the error and the destination.
      backoff: { type: "smtp" },
      removeOnComplete: options.removeOnComplete ?? 1000,
      removeOnFail: options.removeOnFail ?? false,
    },
  });

  const prepare = (item: EnqueueItem, field: string) => {
    const data = within(field, (): MailJobData => {
      const checked = checkMessage(item.message);
      return {
        v: 1,
        messageId: checked.messageId,
        envelope: checked.envelope,
        message: toStoredMessage(item.message),
      };
    });
    const size = Buffer.byteLength(JSON.stringify(data));
    if (size > maxBytes) {
      throw invalidInput(
        `${field}: the stored message would be ${size} bytes, over this queue's maxMessageBytes (${maxBytes}); pass large attachments by path (a file the worker reads) instead of content`,
      );
    }
    return { name: JOB_NAME, data, opts: jobOptions(item.options ?? {}, `${field}.options`) };
  };

  return {
    name: options.name,
    queue,
    async enqueue(message, enqueueOptions) {
      const job = prepare({ message, options: enqueueOptions ?? {} }, "message");
      const added = await queue.add(job.name, job.data, job.opts);
      return added.id as string;
    },
    async enqueueMany(items) {
      if (!Array.isArray(items))
        throw invalidInput("enqueueMany: expects an array of { message, options }");
      const jobs = items.map((item, i) => {
        if (typeof item !== "object" || item === null)
          throw invalidInput(`items[${i}]: must be an object`);
        return prepare(item, `items[${i}]`);
      });
      if (jobs.length === 0) return [];
      const added = await queue.addBulk(jobs);
      return added.map((job) => job.id as string);
    },
    close: () => queue.close(),
  };
}
