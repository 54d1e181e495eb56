import { setTimeout as sleep } from "node:timers/promises";
import type { RateLimit } from "./destination.ts";

/**
 * This worker's own rate: at most `max` sends started in any `duration` milliseconds.
 * Callers wait their turn in order; it remembers at most `max` start times.
 *
 * @since 0.1.0
 */
export class LocalLimiter {
  readonly #limit: RateLimit;
  readonly #starts: number[] = [];
  #queue: Promise<void> = Promise.resolve();

  constructor(limit: RateLimit) {
    this.#limit = limit;
  }

  /** Resolves when a send may start (and counts it). */
  take(): Promise<void> {
    const turn = this.#queue.then(() => this.#slot());
    this.#queue = turn.catch(() => {});
    return turn;
  }

  async #slot(): Promise<void> {
    const { max, duration } = this.#limit;
    for (;;) {
      const now = Date.now();
      while (this.#starts.length > 0 && this.#starts[0]! <= now - duration) this.#starts.shift();
      if (this.#starts.length < max) {
        this.#starts.push(now);
        return;
      }
      await sleep(this.#starts[0]! + duration - now);
    }
  }
}
