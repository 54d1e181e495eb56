import { SmtpError } from "@smtp/core";
import { type AbortSignalLike, startTimer } from "./runtime-globals.ts";

/** How {@link guard} bounds an operation. @since 0.1.0 */
export interface GuardOptions<T> {
  /** Give up after this many milliseconds (non-finite: never). */
  timeoutMs: number;
  /** Give up when this signal aborts. */
  signal?: AbortSignalLike | undefined;
  /** The error to reject with when the time is up. */
  timeoutError: () => SmtpError;
  /** Called at once when the guard gives up, to cancel the operation where possible. */
  cancel?: () => void;
  /** Releases a value that arrives after the guard gave up (e.g. closes a late connection). */
  discard: (value: T) => void;
}

// setTimeout fires at once for delays above 2^31 - 1 ms in every runtime.
const MAX_DELAY = 2_147_483_647;

/**
 * The error for an operation stopped by the caller's `AbortSignal`, with the signal's
 * reason as `cause`.
 *
 * @since 0.1.0
 */
export function abortedError(reason: unknown, what: string): SmtpError {
  return new SmtpError({ kind: "aborted", message: `${what} was aborted`, cause: reason });
}

/**
 * Settles like `operation`, unless the time runs out or the signal aborts first: then it
 * rejects, calls `cancel`, and hands a value that still arrives to `discard`, so nothing
 * opened late is ever leaked. No timer or listener outlives the returned promise.
 *
 * @since 0.1.0
 */
export function guard<T>(operation: Promise<T>, options: GuardOptions<T>): Promise<T> {
  const { signal } = options;
  return new Promise<T>((resolve, reject) => {
    let done = false;
    let stopTimer = (): void => {};
    const finish = (): void => {
      done = true;
      stopTimer();
      signal?.removeEventListener("abort", onAbort);
    };
    const giveUp = (error: SmtpError): void => {
      if (done) return;
      finish();
      options.cancel?.();
      reject(error);
    };
    function onAbort(): void {
      giveUp(abortedError(signal?.reason, "connecting"));
    }
    operation.then(
      (value) => {
        if (done) {
          options.discard(value);
          return;
        }
        finish();
        resolve(value);
      },
      (error: unknown) => {
        if (done) return;
        finish();
        reject(error);
      },
    );
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    if (Number.isFinite(options.timeoutMs)) {
      const ms = Math.min(Math.max(options.timeoutMs, 0), MAX_DELAY);
      stopTimer = startTimer(ms, () => giveUp(options.timeoutError()));
    }
  });
}
