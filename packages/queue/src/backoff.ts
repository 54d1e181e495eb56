/** Retry delays: exponential back-off with jitter. @since 0.1.0 */
export interface RetryOptions {
  /** Delay before the first retry, in ms. Default 5,000. */
  delay?: number;
  /** Longest delay, in ms. Default 1,800,000 (30 min). */
  maxDelay?: number;
  /**
   * Share of each delay drawn at random, 0 to 1: the delay is between `(1 − jitter)·d` and
   * `d`, so retries of a burst spread out. Default 0.5.
   */
  jitter?: number;
}

/** {@link RetryOptions} with every default filled in. @since 0.1.0 */
export const DEFAULT_RETRY: Required<RetryOptions> = {
  delay: 5_000,
  maxDelay: 30 * 60_000,
  jitter: 0.5,
};

/**
 * The delay before retry number `retry` (1 for the first retry): `delay · 2^(retry−1)`,
 * capped at `maxDelay`, less a random share of up to `jitter` of it.
 *
 * @since 0.1.0
 */
export function retryDelay(
  retry: number,
  options: Required<RetryOptions>,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(options.maxDelay, options.delay * 2 ** Math.max(0, retry - 1));
  return Math.round(exponential * (1 - options.jitter * random()));
}
