import { SmtpError } from "@smtp/core";

/** Where a runtime error happened, which decides how it is classified. @since 0.1.0 */
export type DenoErrorStage = "connect" | "tls" | "starttls" | "read" | "write";

// Deno's error classes (`Deno.errors.*`) are matched by name, so this file needs no
// Deno API and classifies errors the same way whatever realm they come from.

// A permission the process lacks will not appear by retrying.
const PERMISSION_NAMES = new Set(["PermissionDenied", "NotCapable"]);

const TLS_TEXT = /certificate|tls|handshake|alert|peer sent no certificates|webpki|rustls/i;

// The peer went away mid-handshake: network trouble, as Node's ECONNRESET there.
const DROP_NAMES = new Set(["UnexpectedEof", "ConnectionReset", "ConnectionAborted", "BrokenPipe"]);

/**
 * rustls' complaint when the first bytes are not a TLS record ("received corrupt message
 * of type InvalidContentType"): the peer speaks plaintext where TLS was expected.
 */
const NOT_TLS_TEXT = /InvalidContentType|corrupt message/i;

function describe(error: unknown): { name: string; message: string; code: string | undefined } {
  if (typeof error === "object" && error !== null) {
    const record = error as { name?: unknown; message?: unknown; code?: unknown };
    return {
      name: typeof record.name === "string" ? record.name : "Error",
      message: typeof record.message === "string" ? record.message : String(error),
      code: typeof record.code === "string" ? record.code : undefined,
    };
  }
  return { name: "Error", message: String(error), code: undefined };
}

/**
 * Translates an error thrown by `Deno.connect`, `Deno.connectTls`, `Deno.startTls` or a
 * connection's `read`/`write` into an {@link SmtpError}, keeping the original as `cause`,
 * classified as `@smtp/transport-node` classifies Node's errors:
 *
 * - an OS-level time-out (`TimedOut`): `timeout`, phase `connect` or `tls`;
 * - a missing permission: `connection`, not retryable;
 * - the peer dropping during a handshake (`UnexpectedEof`, `ConnectionReset`,
 *   `ConnectionAborted`, `BrokenPipe`): `connection` (retryable);
 * - plaintext where the implicit TLS handshake expected a TLS record: `tls` with detail
 *   `not-tls` and a hint about the port pairing;
 * - plaintext in the STARTTLS handshake (stage `"starttls"`): bytes the server sent after
 *   its 220 and before the handshake, so `protocol` with detail `starttls-injection` (R7);
 * - any other handshake failure, or a certificate/TLS failure at any stage: `tls` (not
 *   retryable);
 * - refused, reset, broken pipe, unexpected end, DNS and other network failures:
 *   `connection` (retryable).
 *
 * An `SmtpError` passes through unchanged.
 *
 * @param error what the runtime threw
 * @param stage what the transport was doing (`"tls"`: the implicit TLS handshake;
 *   `"starttls"`: the handshake after STARTTLS)
 * @param target `host:port`, named in the message
 * @returns the error to hand to the caller
 * @since 0.1.0
 */
export function toSmtpError(error: unknown, stage: DenoErrorStage, target: string): SmtpError {
  if (error instanceof SmtpError) return error;
  const { name, message, code } = describe(error);
  const detail = code === undefined ? `${name}: ${message}` : `${name} (${code}): ${message}`;
  const handshake = stage === "tls" || stage === "starttls";
  if (name === "TimedOut" && (stage === "connect" || handshake)) {
    return new SmtpError({
      kind: "timeout",
      phase: stage === "connect" ? "connect" : "tls",
      message: `${handshake ? "TLS handshake with" : "connecting to"} ${target} timed out (${detail})`,
      cause: error,
    });
  }
  if (PERMISSION_NAMES.has(name)) {
    return new SmtpError({
      kind: "connection",
      retryable: false,
      message: `no permission to connect to ${target} (${detail})`,
      cause: error,
    });
  }
  if (handshake && DROP_NAMES.has(name)) {
    return new SmtpError({
      kind: "connection",
      retryable: true,
      message: `${target} closed the connection during the TLS handshake (${detail})`,
      cause: error,
    });
  }
  if (handshake && name === "InvalidData" && NOT_TLS_TEXT.test(message)) {
    return stage === "starttls"
      ? injectionError(target, error)
      : notTlsError(target, detail, error);
  }
  if (handshake || (name === "InvalidData" && TLS_TEXT.test(message))) {
    return new SmtpError({
      kind: "tls",
      message: `TLS with ${target} failed (${detail})`,
      cause: error,
    });
  }
  const what =
    stage === "connect"
      ? `connecting to ${target} failed`
      : stage === "read"
        ? `reading from ${target} failed`
        : `writing to ${target} failed`;
  return new SmtpError({
    kind: "connection",
    // Refused, reset, EOF, DNS and unknown failures alike: network trouble, retryable.
    message: `${what} (${detail})`,
    cause: error,
  });
}

function notTlsError(target: string, detail: string, cause: unknown): SmtpError {
  return new SmtpError({
    kind: "tls",
    message:
      `TLS handshake with ${target} failed: the server does not speak TLS on this port ` +
      `(${detail}). Is it a STARTTLS port (587, 25) used with implicit TLS? ` +
      "Use secure: false there, or port 465 for implicit TLS.",
    retryable: false,
    detail: "not-tls",
    cause,
  });
}

function injectionError(target: string, cause: unknown): SmtpError {
  return new SmtpError({
    kind: "protocol",
    message: `${target} sent data after its reply to STARTTLS, before the TLS handshake`,
    detail: "starttls-injection",
    command: "STARTTLS",
    retryable: false,
    cause,
  });
}
