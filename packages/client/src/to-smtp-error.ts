import { SmtpError } from "@smtp/core/base";

/**
 * Turns anything thrown by a transport or a callback into an {@link SmtpError}: an
 * `SmtpError` passes through; anything else becomes a retryable `connection` error
 * that keeps the original as `cause`.
 *
 * @since 0.1.0
 */
export function toSmtpError(error: unknown): SmtpError {
  if (error instanceof SmtpError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new SmtpError({
    kind: "connection",
    message: `connection failed: ${message}`,
    cause: error,
  });
}

/**
 * The error for an aborted signal, keeping the signal's reason as `cause`.
 *
 * @since 0.1.0
 */
export function abortError(reason: unknown): SmtpError {
  if (reason instanceof SmtpError && reason.kind === "aborted") return reason;
  return new SmtpError({
    kind: "aborted",
    message: "the operation was aborted",
    retryable: false,
    cause: reason,
  });
}
