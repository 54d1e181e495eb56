import { SmtpError, type SmtpErrorKind } from "@smtp/client";

/**
 * The exit status of `smtp`, by outcome: one per `SmtpError` kind, so a script can tell a
 * refused password from a server that is down without reading the message.
 *
 * | code | meaning |
 * | ---- | ------- |
 * | 0    | success |
 * | 1    | an unexpected failure (a bug: please report it) |
 * | 2    | usage: bad flags or input (`invalid-input`), nothing was sent |
 * | 3    | `connection`: refused, reset, closed early, DNS |
 * | 4    | `timeout` |
 * | 5    | `tls`: handshake or certificate verification failed |
 * | 6    | `tls-required`: TLS needed but not offered, or STARTTLS refused |
 * | 7    | `auth`: the server refused the credentials |
 * | 8    | `auth-unavailable`: no AUTH mechanism both sides support |
 * | 9    | `insecure-auth`: credentials would have gone without TLS |
 * | 10   | `rejected`: the server refused the sender, every recipient or the data |
 * | 11   | `size`: the message is larger than the server takes |
 * | 12   | `protocol`: the server broke the protocol |
 * | 13   | some recipients were refused, the others got the message (`send`), or some rows failed (`bulk`) |
 * | 14   | `replay`: the transcript diverged from the engine |
 * | 130  | `aborted`: interrupted (Ctrl-C), or a prompt was cancelled |
 *
 * @since 0.1.0
 */
export const EXIT_CODES = {
  /** Success. */
  ok: 0,
  /** An unexpected failure (a bug). */
  unexpected: 1,
  /** Usage: a bad flag or input; nothing was sent. */
  "invalid-input": 2,
  /** The connection failed. */
  connection: 3,
  /** A deadline passed. */
  timeout: 4,
  /** The TLS handshake or certificate verification failed. */
  tls: 5,
  /** TLS was needed but not offered, or STARTTLS was refused. */
  "tls-required": 6,
  /** The server refused the credentials. */
  auth: 7,
  /** No AUTH mechanism both sides support. */
  "auth-unavailable": 8,
  /** The credentials would have gone without TLS. */
  "insecure-auth": 9,
  /** The server refused the sender, every recipient, or the data. */
  rejected: 10,
  /** The message is larger than the server takes. */
  size: 11,
  /** The server broke the protocol. */
  protocol: 12,
  /** Some recipients refused (send), or some rows failed (bulk). */
  partial: 13,
  /** The transcript diverged from the engine. */
  "replay-diverged": 14,
  /** Interrupted, or a prompt was cancelled. */
  aborted: 130,
} as const satisfies Record<
  SmtpErrorKind | "ok" | "unexpected" | "partial" | "replay-diverged",
  number
>;

/**
 * The exit status for an error: its kind's code for an `SmtpError`, 1 for anything else.
 *
 * @since 0.1.0
 */
export function exitCodeFor(error: unknown): number {
  if (error instanceof SmtpError) return EXIT_CODES[error.kind] ?? EXIT_CODES.unexpected;
  return EXIT_CODES.unexpected;
}
