import { SmtpError } from "@smtp/core";
import { peerName, type RuntimeErrorTable, type TransportPeer } from "@smtp/core/transport-kit";

/**
 * How the errors of `cloudflare:sockets` read, for `toTransportError` of
 * `@smtp/core/transport-kit`. They carry no code, only messages: a lost connection is
 * `ECONNRESET`, a write to a closed one `EPIPE`, and a connection that could not be opened
 * `connect-failed`, since workerd says the same for a refused port, an unreachable host, a
 * name that does not resolve and a blocked port.
 *
 * @since 0.1.0
 */
export const CLOUDFLARE_ERRORS: RuntimeErrorTable = {
  codes: { ECONNRESET: "network" },
  messages: [
    [
      /cannot connect to the specified address|proxy request failed/i,
      ["network", "connect-failed"],
    ],
    [/network connection lost|disconnected/i, ["network", "ECONNRESET"]],
    [/has been closed|socket is closed|stream was cancel/i, ["network", "EPIPE"]],
    [/prohibited|not allowed|blocked/i, ["network", "connect-failed"]],
    [/certificate/i, "certificate"],
  ],
};

/** Ports Cloudflare blocks for outbound TCP from Workers: SMTP's port 25. */
const BLOCKED_PORTS = new Set([25]);

/** Adds, to a failed connect to a blocked port, why: Cloudflare blocks it. */
export function blockedPortHint(error: SmtpError, peer: TransportPeer): SmtpError {
  if (!BLOCKED_PORTS.has(peer.port) || error.kind !== "connection") return error;
  return new SmtpError({
    kind: "connection",
    message: `${error.message} (Cloudflare blocks outbound connections to port 25: use the server's submission port, 587 with STARTTLS or 465 with implicit TLS)`,
    retryable: false,
    ...(error.detail === undefined ? {} : { detail: error.detail }),
    cause: error,
  });
}

/**
 * A TLS handshake that failed. workerd reports only "internal error" to the Worker (the
 * reason goes to its log), so unless the error says more this is kind `tls`, detail
 * `tls-handshake`, with the likely reasons in the message.
 */
export function handshakeError(
  error: SmtpError,
  peer: TransportPeer,
  servername: string,
): SmtpError {
  if (error.kind !== "tls" || error.detail !== undefined) return error;
  return new SmtpError({
    kind: "tls",
    detail: "tls-handshake",
    retryable: false,
    message:
      `the TLS handshake with ${peerName(peer)} failed, and Cloudflare Workers do not say why: ` +
      `the server's certificate may not be publicly trusted or not valid for ${servername}, ` +
      "or the server may not speak TLS on this port",
    cause: error,
  });
}
