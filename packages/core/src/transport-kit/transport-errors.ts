import { SmtpError } from "../errors.ts";
import { peerName, type TransportPeer } from "./peer.ts";

/**
 * The error of an operation on a transport that is closed, or closing: retryable, since a
 * new connection may well succeed.
 *
 * @param peer the server, named in the message
 * @param what the operation refused (`write`, `startTls` …)
 * @since 0.1.0
 */
export function closedError(peer: TransportPeer, what: string): SmtpError {
  return new SmtpError({
    kind: "connection",
    message: `the connection to ${peerName(peer)} is closed (${what})`,
    retryable: true,
  });
}

/**
 * The error of an operation stopped by `abort(reason)` or an `AbortSignal`. An `SmtpError`
 * reason is returned as it is (the driver aborts with the error that ended the session, the
 * client's connect deadline with its `timeout` error); any other reason becomes kind
 * `aborted` with the reason as `cause`.
 *
 * @since 0.1.0
 */
export function abortedError(reason: unknown, peer: TransportPeer): SmtpError {
  if (reason instanceof SmtpError) return reason;
  return new SmtpError({
    kind: "aborted",
    message: `aborted (${peerName(peer)})`,
    retryable: false,
    cause: reason,
  });
}

/**
 * Plaintext where the STARTTLS handshake should be: bytes the server (or someone on the
 * path) sent after its `220` to STARTTLS. They must never be read as if they came inside
 * TLS, so the upgrade fails with the core's own error for it (`protocol`,
 * `starttls-injection`).
 *
 * @since 0.1.0
 */
export function starttlsInjectionError(peer: TransportPeer, cause?: unknown): SmtpError {
  return new SmtpError({
    kind: "protocol",
    message: `${peerName(peer)} sent data after its reply to STARTTLS, before the TLS handshake`,
    detail: "starttls-injection",
    command: "STARTTLS",
    retryable: false,
    ...(cause === undefined ? {} : { cause }),
  });
}
