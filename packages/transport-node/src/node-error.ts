import { SmtpError } from "@smtp/core";

/** Network failures worth retrying later. */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EAI_FAIL",
  "EAI_NODATA",
  "EPIPE",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  "EADDRNOTAVAIL",
  "EADDRINUSE",
  "ERR_SOCKET_CLOSED",
  "ERR_STREAM_DESTROYED",
  "ERR_STREAM_WRITE_AFTER_END",
  "ERR_SOCKET_CONNECTION_TIMEOUT",
]);

/** Certificate verification failures (OpenSSL's names, as Node reports them). */
const CERTIFICATE_CODES = new Set([
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_REVOKED",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "CERT_SIGNATURE_FAILURE",
  "INVALID_CA",
  "INVALID_PURPOSE",
  "HOSTNAME_MISMATCH",
  "ERR_TLS_HANDSHAKE_TIMEOUT",
]);

/** OpenSSL's complaints when the other side does not speak TLS at all. */
const NOT_TLS_PATTERN =
  /wrong version number|packet length too long|unknown protocol|http request/i;

/** Where an error happened, for the message. */
export interface ErrorContext {
  /** The server's host. */
  host: string;
  /** The server's port. */
  port: number;
  /** What was being done: connecting, the TLS handshake, or the conversation. */
  stage: "connect" | "tls" | "io";
}

/** Every error reachable from `error` through `cause` and `AggregateError.errors`, outermost first. */
function chain(error: unknown): unknown[] {
  const seen: unknown[] = [];
  const queue: unknown[] = [error];
  while (queue.length > 0 && seen.length < 16) {
    const next = queue.shift();
    if (next === undefined || next === null || seen.includes(next)) continue;
    seen.push(next);
    if (typeof next === "object") {
      const { cause, errors } = next as { cause?: unknown; errors?: unknown };
      if (cause !== undefined) queue.push(cause);
      if (Array.isArray(errors)) queue.push(...errors);
    }
  }
  return seen;
}

/** The runtime's error code (`ECONNRESET`, `CERT_HAS_EXPIRED`…): an upper-case `SmtpErrorDetail`. */
function codeOf(error: unknown): Uppercase<string> | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? (code.toUpperCase() as Uppercase<string>) : undefined;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

function isTlsError(code: string | undefined, message: string): boolean {
  if (code !== undefined) {
    if (CERTIFICATE_CODES.has(code)) return true;
    if (/^ERR_(SSL|TLS|OSSL)_/.test(code)) return true;
  }
  // Bun reports some of these without a code ("Invalid CA", "unable to verify … certificate").
  return /SSL routines|PEM routines|tlsv1 alert|sslv3 alert|invalid CA|certificate/i.test(message);
}

/**
 * Turns a `node:net` / `node:tls` failure into an {@link SmtpError}: network failures become
 * `connection` (retryable), certificate and handshake failures `tls` (not retryable), abort
 * signals `aborted`. The original error is always kept as `cause`; an `SmtpError` is returned
 * unchanged.
 *
 * @since 0.1.0
 */
export function toSmtpError(error: unknown, context: ErrorContext): SmtpError {
  if (error instanceof SmtpError) return error;
  const where = `${context.host}:${context.port}`;
  const errors = chain(error);
  if (errors.some((e) => e instanceof Error && e.name === "AbortError")) {
    return new SmtpError({ kind: "aborted", message: `aborted (${where})`, cause: error });
  }
  for (const e of errors) {
    const code = codeOf(e);
    const message = messageOf(e);
    if (NOT_TLS_PATTERN.test(message) || code === "ERR_SSL_WRONG_VERSION_NUMBER") {
      return new SmtpError({
        kind: "tls",
        message:
          `TLS handshake with ${where} failed: the server does not speak TLS on this port ` +
          `(${code ?? message}). Is it a STARTTLS port (587, 25) used with implicit TLS? ` +
          "Use secure: false there, or port 465 for implicit TLS.",
        retryable: false,
        detail: "not-tls",
        cause: error,
      });
    }
    if (isTlsError(code, message)) {
      return new SmtpError({
        kind: "tls",
        message: `TLS with ${where} failed: ${code ? `${code}: ` : ""}${message}`,
        retryable: false,
        ...(code ? { detail: code } : {}),
        cause: error,
      });
    }
  }
  for (const e of errors) {
    const code = codeOf(e);
    if (code !== undefined && CONNECTION_CODES.has(code)) {
      const verb = context.stage === "connect" ? "connect to" : "connection to";
      return new SmtpError({
        kind: "connection",
        message: `${verb} ${where} failed: ${code} (${messageOf(e)})`,
        retryable: true,
        detail: code,
        cause: error,
      });
    }
  }
  const code = codeOf(error);
  return new SmtpError({
    kind: "connection",
    message: `connection to ${where} failed: ${messageOf(error)}`,
    retryable: true,
    ...(code ? { detail: code } : {}),
    cause: error,
  });
}

/**
 * The error of a deadline passed while connecting (`connect`) or during a TLS handshake (`tls`).
 *
 * @since 0.1.0
 */
export function timeoutError(
  phase: "connect" | "tls",
  context: Omit<ErrorContext, "stage">,
  ms: number,
): SmtpError {
  const what = phase === "connect" ? "connecting to" : "the TLS handshake with";
  const hint =
    phase === "tls"
      ? " (a server that never completes the handshake may not speak TLS on this port)"
      : "";
  return new SmtpError({
    kind: "timeout",
    phase,
    message: `timed out after ${ms} ms ${what} ${context.host}:${context.port}${hint}`,
    retryable: true,
  });
}

/**
 * The error of an operation stopped by an `AbortSignal`, keeping the signal's reason as `cause`.
 *
 * @since 0.1.0
 */
export function abortedError(reason: unknown, where: string): SmtpError {
  if (reason instanceof SmtpError) return reason;
  return new SmtpError({ kind: "aborted", message: `aborted (${where})`, cause: reason });
}
