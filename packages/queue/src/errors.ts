import { SmtpError } from "@smtp/client";

/** An `invalid-input` SmtpError: the caller's data was refused before anything was queued. @since 0.1.0 */
export function invalidInput(message: string, cause?: unknown): SmtpError {
  return new SmtpError({
    kind: "invalid-input",
    message,
    retryable: false,
    ...(cause === undefined ? {} : { cause }),
  });
}
