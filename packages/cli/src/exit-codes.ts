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
  ok: 0,
  unexpected: 1,
  "invalid-input": 2,
  connection: 3,
  timeout: 4,
  tls: 5,
  "tls-required": 6,
  auth: 7,
  "auth-unavailable": 8,
  "insecure-auth": 9,
  rejected: 10,
  size: 11,
  protocol: 12,
  partial: 13,
  "replay-diverged": 14,
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
