import { type RejectedRecipient, SmtpError } from "@smtp/client";

/**
 * What to do after a failed send:
 * - `permanent`: fail the job now (5xx, `invalid-input`, or anything not retryable);
 * - `retry`: try again later (4xx, network failures, timeouts);
 * - `slow-down`: like `retry`, and pause the destination for every worker (a `421`).
 *
 * @since 0.1.0
 */
export type FailureAction = "permanent" | "retry" | "slow-down";

/**
 * How a failed send is handled, from the error `@smtp/client` threw. A message that may have
 * been delivered (`detail: "maybe-delivered"`: its end of data went out and no answer came)
 * is retried when `retryMaybeDelivered` is true, since a duplicate is better than a loss.
 *
 * @since 0.1.0
 */
export function classifyFailure(error: unknown, retryMaybeDelivered = true): FailureAction {
  if (!(error instanceof SmtpError)) return "retry";
  if (error.detail === "maybe-delivered") return retryMaybeDelivered ? "retry" : "permanent";
  if (error.kind === "invalid-input") return "permanent";
  if (error.code === 421) return "slow-down";
  if (error.code !== undefined)
    return error.code >= 400 && error.code < 500 ? "retry" : "permanent";
  return error.retryable ? "retry" : "permanent";
}

/** A refused recipient is refused for good with a 5xx; a 4xx is worth another try. @since 0.1.0 */
export function isPermanentRejection(rejection: RejectedRecipient): boolean {
  return rejection.code >= 500;
}

/** The server's reply as one line: `550 5.1.1 text`, or the error's message when there was none. @since 0.1.0 */
export function describeFailure(error: unknown): string {
  if (!(error instanceof SmtpError)) return error instanceof Error ? error.message : String(error);
  if (error.code === undefined) return `${error.kind}: ${error.message}`;
  const enhanced = error.enhancedCode ? ` ${error.enhancedCode}` : "";
  return `${error.code}${enhanced} ${error.response ?? error.message}`;
}
