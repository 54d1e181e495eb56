import type { SendJob, SendResult, SmtpError } from "@smtp/core";
import type { Message } from "@smtp/mime";

/**
 * One message on its way: what to send, how often it was tried, and how to settle the
 * caller's promise.
 *
 * @since 0.1.0
 */
export interface QueuedSend {
  readonly message: Message;
  readonly job: SendJob;
  readonly signal: AbortSignal | undefined;
  /** Order of arrival in the pool, so that retried messages keep their place. */
  seq?: number;
  /** Connections this message was handed to so far. */
  attempts: number;
  /** Set once the caller's promise is settled. */
  settled: boolean;
  resolve(result: Extract<SendResult, { ok: true }>): void;
  reject(error: SmtpError): void;
}
