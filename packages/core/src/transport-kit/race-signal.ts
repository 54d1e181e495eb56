import type { TransportPeer } from "./peer.ts";
import { abortedError } from "./transport-errors.ts";

/** The part of `AbortSignal` a connector listens to (typed here: the core has no DOM types). @since 0.1.0 */
export interface AbortSignalLike {
  /** Whether the signal has fired. */
  readonly aborted: boolean;
  /** Why it fired. */
  readonly reason: unknown;
  /** Listens for the abort. */
  addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void;
  /** Stops listening. */
  removeEventListener(type: "abort", listener: () => void): void;
}

/** What {@link raceSignal} does when the signal wins. @since 0.1.0 */
export interface RaceSignalOptions<T> {
  /** The server, named in the error. */
  peer: TransportPeer;
  /** Called at once when the signal fires first: cancel the operation where the runtime can. */
  cancel(): void;
  /** Releases a value that still arrives after the signal fired (e.g. closes a late connection). */
  discard(value: T): void;
}

/**
 * Settles like `operation` unless `signal` fires first: then it rejects with the signal's
 * reason (an `SmtpError` reason as it is, e.g. the client's connect-timeout error; anything
 * else as kind `aborted`), calls `cancel`, and hands a value that still arrives to
 * `discard`, so nothing opened late is leaked. No listener outlives the returned promise.
 * This is how a connector honours its caller's deadline without a clock of its own.
 *
 * @since 0.1.0
 */
export function raceSignal<T>(
  operation: Promise<T>,
  signal: AbortSignalLike | undefined,
  options: RaceSignalOptions<T>,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const onAbort = (): void => {
      if (done) return;
      done = true;
      options.cancel();
      reject(abortedError(signal?.reason, options.peer));
    };
    operation.then(
      (value) => {
        if (done) return options.discard(value);
        done = true;
        signal?.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        if (done) return;
        done = true;
        signal?.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
  });
}
