/**
 * What ended a wait: the awaited value, its failure, the deadline, or a wake-up.
 *
 * @since 0.1.0
 */
export type RaceOutcome<T> =
  | { type: "value"; value: T }
  | { type: "error"; error: unknown }
  | { type: "timeout" }
  | { type: "aborted"; reason: unknown }
  | { type: "wake" };

/** What {@link race} waits on besides the promise. @since 0.1.0 */
export interface RaceOptions {
  /** Absolute deadline on the `now()` clock, or `null` for none. */
  deadline: number | null;
  now: () => number;
  signal?: AbortSignal | undefined;
  /** Resolves when new input is available and the waiter should look again. */
  wake?: Promise<void> | undefined;
}

/**
 * Waits for `promise`, the deadline, the signal or the wake-up, whichever comes first.
 * The timer and the abort listener are always removed before it resolves, so a wait
 * leaves no handle behind. A losing `promise` keeps running; its rejection is
 * swallowed here so that it never becomes an unhandled rejection.
 *
 * @since 0.1.0
 */
export function race<T>(promise: Promise<T>, options: RaceOptions): Promise<RaceOutcome<T>> {
  const { deadline, now, signal, wake } = options;
  promise.catch(() => {});
  if (signal?.aborted) return Promise.resolve({ type: "aborted", reason: signal.reason });
  return new Promise<RaceOutcome<T>>((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let done = false;
    const finish = (outcome: RaceOutcome<T>) => {
      if (done) return;
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      resolve(outcome);
    };
    const onAbort = () => finish({ type: "aborted", reason: signal?.reason });
    // Timers may fire a little early against a monotonic clock: re-arm until the deadline has really passed.
    const arm = () => {
      if (deadline === null) return;
      const left = deadline - now();
      if (left <= 0) {
        finish({ type: "timeout" });
        return;
      }
      timer = setTimeout(arm, Math.ceil(left));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    // The first check goes through the timer queue so that an already settled promise wins.
    if (deadline !== null) timer = setTimeout(arm, Math.max(0, Math.ceil(deadline - now())));
    promise.then(
      (value) => finish({ type: "value", value }),
      (error: unknown) => finish({ type: "error", error }),
    );
    wake?.then(() => finish({ type: "wake" }));
  });
}
