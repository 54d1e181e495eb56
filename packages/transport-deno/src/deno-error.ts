import { SmtpError } from "@smtp/core";

/** Where a runtime error happened, which decides how it is classified. @since 0.1.0 */
export type DenoErrorStage = "connect" | "tls" | "read" | "write";

// Deno's error classes (`Deno.errors.*`) are matched by name, so this file needs no
// Deno API and classifies errors the same way whatever realm they come from.

// A permission the process lacks will not appear by retrying.
const PERMISSION_NAMES = new Set(["PermissionDenied", "NotCapable"]);

const TLS_TEXT = /certificate|tls|handshake|alert|peer sent no certificates|webpki|rustls/i;

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
 * connection's `read`/`write` into an {@link SmtpError}, keeping the original as `cause`:
 *
 * - during the TLS handshake (`stage` `"tls"`), or a certificate/TLS failure at any
 *   stage: `tls` (not retryable);
 * - an OS-level time-out (`TimedOut`): `timeout`, phase `connect` or `tls`;
 * - a missing permission: `connection`, not retryable;
 * - refused, reset, broken pipe, unexpected end, DNS and other network failures:
 *   `connection` (retryable).
 *
 * An `SmtpError` passes through unchanged.
 *
 * @param error what the runtime threw
 * @param stage what the transport was doing
 * @param target `host:port`, named in the message
 * @returns the error to hand to the caller
 * @since 0.1.0
 */
export function toSmtpError(error: unknown, stage: DenoErrorStage, target: string): SmtpError {
  if (error instanceof SmtpError) return error;
  const { name, message, code } = describe(error);
  const detail = code === undefined ? `${name}: ${message}` : `${name} (${code}): ${message}`;
  if (name === "TimedOut" && (stage === "connect" || stage === "tls")) {
    return new SmtpError({
      kind: "timeout",
      phase: stage,
      message: `${stage === "tls" ? "TLS handshake with" : "connecting to"} ${target} timed out (${detail})`,
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
  if (stage === "tls" || (name === "InvalidData" && TLS_TEXT.test(message))) {
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
