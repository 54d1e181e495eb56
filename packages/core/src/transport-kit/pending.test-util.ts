/** Whether `promise` is still unsettled after ten turns of the microtask queue. */
export async function pending(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  const mark = (): void => {
    settled = true;
  };
  promise.then(mark, mark);
  for (let i = 0; i < 10; i++) await Promise.resolve();
  return !settled;
}
