import type { RejectedRecipient, SmtpError } from "@smtp/client";

/** Emitted after a server accepted the message for at least one recipient. @since 0.1.0 */
export interface MailSentEvent {
  /** The BullMQ job id. */
  jobId: string;
  /** The message's Message-ID, `"<…@…>"`. */
  messageId: string;
  /** The server, `host:port`. */
  destination: string;
  /** Recipients accepted by this send. */
  accepted: string[];
  /** Recipients refused by this send (5xx for good; 4xx are retried). */
  rejected: RejectedRecipient[];
  /** The server's reply to the data, e.g. `"250 2.0.0 Ok: queued as 4F1C2"`. */
  response: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** Milliseconds `client.send` took. */
  sendMs: number;
  /** Milliseconds since the message was due (enqueue time plus `delay`). */
  latencyMs: number;
}

/** Emitted when an attempt failed and the job will be retried. @since 0.1.0 */
export interface MailRetriedEvent {
  /** The BullMQ job id. */
  jobId: string;
  /** The message's Message-ID, `"<…@…>"`. */
  messageId: string;
  /** `host:port`; undefined when choosing the client failed. */
  destination: string | undefined;
  /** What `@smtp/client` (or choosing the client) threw. */
  error: SmtpError | Error;
  /** The attempt that failed, 1 for the first. */
  attempt: number;
  /** Milliseconds until the next attempt. */
  delay: number;
}

/** Emitted when a job fails for good: the job's `failedReason` holds the same `reason`. @since 0.1.0 */
export interface MailFailedEvent {
  /** The BullMQ job id. */
  jobId: string;
  /** The message's Message-ID, `"<…@…>"`. */
  messageId: string;
  /** `host:port`; undefined when choosing the client failed. */
  destination: string | undefined;
  /** What `@smtp/client` (or choosing the client) threw. */
  error: SmtpError | Error;
  /** The server's reply (`550 5.1.1 …`) or the error. */
  reason: string;
  /** The attempt that failed, 1 for the first. */
  attempt: number;
  /** True for a 5xx or invalid input; false when the attempts ran out. */
  permanent: boolean;
}

/** Emitted when a send is postponed without using an attempt. @since 0.1.0 */
export interface MailDeferredEvent {
  /** The BullMQ job id. */
  jobId: string;
  /** The message's Message-ID, `"<…@…>"`. */
  messageId: string;
  /** The server, `host:port`. */
  destination: string;
  /** `rate-limit`: the destination's limit is reached; `slow-down`: it answered 421 lately. */
  reason: "rate-limit" | "slow-down";
  /** When the job is due again (ms since the epoch). */
  until: number;
}

/** Emitted when the delivered-set shows the job's message was already delivered. @since 0.1.0 */
export interface MailSkippedEvent {
  /** The BullMQ job id. */
  jobId: string;
  /** The message's Message-ID, `"<…@…>"`. */
  messageId: string;
}

/** The events of a {@link MailWorker}. @since 0.1.0 */
export interface MailWorkerEvents {
  /** A server accepted the message for at least one recipient. */
  sent: [MailSentEvent];
  /** An attempt failed; the job will be tried again. */
  retried: [MailRetriedEvent];
  /** The job failed for good. */
  failed: [MailFailedEvent];
  /** The send was postponed (rate limit, paused destination) without using an attempt. */
  deferred: [MailDeferredEvent];
  /** The message was already delivered: nothing sent. */
  skipped: [MailSkippedEvent];
  /** A Redis or BullMQ error outside any one job. Without a listener it is written to stderr. */
  error: [Error];
}
