/**
 * `@smtp/queue`: bulk email across processes and machines on BullMQ and Redis, sent with
 * `@smtp/client`. Nothing lost, nothing sent twice (but for one documented window),
 * retries that respect the server. Node.js and Bun (BullMQ and ioredis are Node.js libraries).
 *
 * ```ts
 * import { createMailQueue, createMailWorker } from "@smtp/queue";
 * ```
 *
 * @module
 */
export { DEFAULT_RETRY, type RetryOptions, retryDelay } from "./backoff.ts";
export { classifyFailure, type FailureAction } from "./classify.ts";
export type { ClientFactory } from "./clients.ts";
export type { RedisConnection } from "./connection.ts";
export { destinationOf, type RateLimit, type SlowDownOptions } from "./destination.ts";
export type {
  MailDeferredEvent,
  MailFailedEvent,
  MailRetriedEvent,
  MailSentEvent,
  MailSkippedEvent,
  MailWorkerEvents,
} from "./events.ts";
export type {
  AttachmentFields,
  ContentAttachment,
  MailJobData,
  PathAttachment,
  QueueAttachment,
  QueueMessageInput,
  StoredAttachment,
  StoredMessage,
} from "./message-data.ts";
export {
  type HistogramSnapshot,
  LATENCY_BUCKETS,
  MailMetrics,
  type MailMetricsSnapshot,
} from "./metrics.ts";
export type { ClientSelector, MailJobInfo } from "./process-job.ts";
export {
  createMailQueue,
  DEFAULT_ATTEMPTS,
  DEFAULT_MAX_MESSAGE_BYTES,
  type EnqueueItem,
  type EnqueueOptions,
  MAX_PRIORITY,
  type MailQueue,
  type MailQueueOptions,
} from "./queue.ts";
export type { DeliveryResult, RecipientOutcome } from "./result.ts";
export {
  createMailWorker,
  type MailLimiterOptions,
  type MailWorker,
  type MailWorkerOptions,
} from "./worker.ts";
