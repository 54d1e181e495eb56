// Assertions of the conformance suite: plain throws, so it needs no test library.
import { SmtpError } from "@smtp/core";

/** Throws unless `condition` holds. */
export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`conformance: ${message}`);
}

/** Throws unless `actual` and `expected` are the same value. */
export function same<T>(actual: T, expected: T, what: string): void {
  check(
    Object.is(actual, expected),
    `${what}: expected ${String(expected)}, got ${String(actual)}`,
  );
}

/** What a promise rejected with; throws when it resolved. */
export async function rejection(promise: Promise<unknown>, what: string): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error(`conformance: ${what} resolved, but should have rejected`);
}

/** Throws unless `error` is an `SmtpError` with these fields. */
export function smtpError(
  error: unknown,
  expected: { kind: string; detail?: string; retryable?: boolean },
  what: string,
): SmtpError {
  check(error instanceof SmtpError, `${what}: expected an SmtpError, got ${String(error)}`);
  same(error.kind, expected.kind, `${what}: kind (${error.message})`);
  if ("detail" in expected) same(error.detail, expected.detail, `${what}: detail`);
  if ("retryable" in expected) same(error.retryable, expected.retryable, `${what}: retryable`);
  return error;
}

/** Resolves after `ms` milliseconds; the timer is gone by then. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether `promise` is still pending after a short while (the runtime's I/O has had its turn). */
export async function stillPending(promise: Promise<unknown>, ms = 30): Promise<boolean> {
  let settled = false;
  const mark = (): void => {
    settled = true;
  };
  promise.then(mark, mark);
  await delay(ms);
  return !settled;
}

/** Retries `probe` every 10 ms for up to `ms` until it returns true. */
export async function eventually(probe: () => boolean, ms: number, what: string): Promise<void> {
  for (let waited = 0; !probe(); waited += 10) {
    check(waited < ms, `${what} (waited ${ms} ms)`);
    await delay(10);
  }
}
