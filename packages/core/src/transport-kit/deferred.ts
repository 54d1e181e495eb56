/** A promise with its settling functions. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** A new {@link Deferred}. */
export function deferred<T>(): Deferred<T> {
  // Assigned by the executor, which runs before the constructor returns.
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}

/** Does nothing: for promises whose outcome was already accounted for. */
export const ignore = (): void => {};
