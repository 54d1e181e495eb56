/**
 * What ended a wait: the awaited value, its failure, the deadline, or a wake-up.
 *
 * @since 0.1.0
 */
export type WaitOutcome<T> =
  | { type: "value"; value: T }
  | { type: "error"; error: unknown }
  | { type: "timeout" }
  | { type: "aborted"; reason: unknown }
  | { type: "wake" };

/**
 * Waits for a promise, a deadline on the waiter's clock, its abort signal or a wake-up,
 * whichever comes first. A loop that waits again and again under a deadline that mostly
 * moves later keeps one timer, re-armed only when the deadline moves earlier or the timer
 * fires early, and one abort listener for the waiter's life, instead of a timer and a
 * listener per wait. A one-off wait is a waiter used once and disposed. One wait at a time.
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
  #finish: ((outcome: WaitOutcome<never>) => void) | undefined;
  /** Whether {@link Waiter.interrupt} may end the current wait. */
  #interruptible = false;
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

  /**
   * Waits for `promise` until `deadline` (absolute, on the waiter's clock; `null` for none),
   * an abort or `wake`. A losing `promise` keeps running; its rejection is swallowed here so
   * that it never becomes an unhandled rejection.
   */
  wait<T>(
    promise: Promise<T>,
    deadline: number | null,
    wake?: Promise<void>,
  ): Promise<WaitOutcome<T>> {
    this.#interruptible = false;
    return this.#wait(promise, deadline, wake);
  }

  /**
   * {@link Waiter.wait} that {@link Waiter.interrupt} may end with a `wake` outcome: a
   * loop's wait for input that new work should cut short, without a promise per wait.
   */
  waitInterruptible<T>(promise: Promise<T>, deadline: number | null): Promise<WaitOutcome<T>> {
    this.#interruptible = true;
    return this.#wait(promise, deadline, undefined);
  }

  /** Ends the current wait with `wake` if it is interruptible; otherwise does nothing. */
  interrupt(): void {
    if (this.#interruptible) this.#finish?.({ type: "wake" });
  }

  #wait<T>(
    promise: Promise<T>,
    deadline: number | null,
    wake: Promise<void> | undefined,
  ): Promise<WaitOutcome<T>> {
    const signal = this.#signal;
    if (signal?.aborted) {
      promise.catch(() => {});
      return Promise.resolve({ type: "aborted", reason: signal.reason });
    }
    if (signal && !this.#listening) {
      signal.addEventListener("abort", this.#onAbort, { once: true });
      this.#listening = true;
    }
    return new Promise<WaitOutcome<T>>((resolve) => {
      let done = false;
      const finish = (outcome: WaitOutcome<T>) => {
        if (done) return;
        done = true;
        if (this.#finish === finish) {
          this.#finish = undefined;
          this.#interruptible = false;
        }
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
      // Also what keeps a losing `promise`'s rejection from going unhandled.
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
