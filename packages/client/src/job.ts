import type { SendJob, SendResult, SmtpError } from "@smtp/core";
import type { Message } from "@smtp/mime";
import type { Connection } from "./connection.ts";

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
  /**
   * The connection the pool handed it to, until its result comes. A field rather than an
   * entry in a pool-wide `Map`: V8 keeps a `Map`'s outgrown tables, each holding the entries
   * it had and a link to the next table, so once one of them had been promoted to the old
   * generation, every later message reachable through that chain was promoted too (about
   * 1.5 KB per message, collected only by full collections).
   */
  assigned?: Connection | undefined;
  resolve(result: Extract<SendResult, { ok: true }>): void;
  reject(error: SmtpError): void;
}
