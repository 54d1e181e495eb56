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

/**
 * {@link race} for a loop that waits again and again under a deadline that mostly moves
 * later, and one signal: one timer, re-armed only when the deadline moves earlier or the
 * timer fires early, and one abort listener for the waiter's life, instead of a timer and
 * a listener per wait. One wait at a time.
 * {@link Waiter.dispose} removes both; after it, no timer or listener of the waiter remains.
 *
 * @since 0.1.0
 */
export class Waiter {
  readonly #now: () => number;
  readonly #signal: AbortSignal | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The deadline the current timer was armed for. */
  #armedFor: number | null = null;
  #deadline: number | null = null;
  /** Ends the current wait; `undefined` between waits. */
  #finish: ((outcome: RaceOutcome<never>) => void) | undefined;
  #listening = false;
  readonly #onAbort = (): void => {
    this.#finish?.({ type: "aborted", reason: this.#signal?.reason });
  };
  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.#armedFor = null;
    // Between waits nothing is due: the next wait arms again if it needs to.
    if (this.#finish === undefined || this.#deadline === null) return;
    const left = this.#deadline - this.#now();
    // Timers may fire a little early against a monotonic clock: re-arm until it has passed.
    if (left <= 0) this.#finish({ type: "timeout" });
    else this.#arm(this.#deadline, left);
  };

  constructor(now: () => number, signal?: AbortSignal) {
    this.#now = now;
    this.#signal = signal;
  }

  /** Like {@link race}, with the waiter's clock and signal. */
  wait<T>(
    promise: Promise<T>,
    deadline: number | null,
    wake?: Promise<void>,
  ): Promise<RaceOutcome<T>> {
    promise.catch(() => {});
    const signal = this.#signal;
    if (signal?.aborted) return Promise.resolve({ type: "aborted", reason: signal.reason });
    if (signal && !this.#listening) {
      signal.addEventListener("abort", this.#onAbort, { once: true });
      this.#listening = true;
    }
    return new Promise<RaceOutcome<T>>((resolve) => {
      let done = false;
      const finish = (outcome: RaceOutcome<T>) => {
        if (done) return;
        done = true;
        if (this.#finish === finish) this.#finish = undefined;
        resolve(outcome);
      };
      this.#finish = finish;
      this.#deadline = deadline;
      if (deadline === null) this.#disarm();
      else if (this.#armedFor === null || deadline < this.#armedFor) {
        // The first check goes through the timer queue so that an already settled promise
        // wins. A later deadline keeps the timer: when it fires, it re-arms for the rest.
        this.#arm(deadline, deadline - this.#now());
      }
      promise.then(
        (value) => finish({ type: "value", value }),
        (error: unknown) => finish({ type: "error", error }),
      );
      wake?.then(() => finish({ type: "wake" }));
    });
  }

  /** Removes the timer and the abort listener (a wait still open never resolves). */
  dispose(): void {
    this.#finish = undefined;
    this.#disarm();
    if (this.#listening) {
      this.#signal?.removeEventListener("abort", this.#onAbort);
      this.#listening = false;
    }
  }

  #arm(deadline: number, left: number): void {
    this.#disarm();
    this.#armedFor = deadline;
    this.#timer = setTimeout(this.#onTimer, Math.max(0, Math.ceil(left)));
  }

  #disarm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedFor = null;
  }
}
