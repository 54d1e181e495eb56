import { SmtpError } from "@smtp/core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { guard } from "./guard.ts";

const timeoutError = () => new SmtpError({ kind: "timeout", phase: "connect", message: "late" });

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("guard", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("settles like the operation and leaves no timer or listener", async () => {
    const op = deferred<string>();
    const controller = new AbortController();
    const remove = vi.spyOn(controller.signal, "removeEventListener");
    const guarded = guard(op.promise, {
      timeoutMs: 1000,
      signal: controller.signal,
      timeoutError,
      discard: () => {},
    });
    expect(vi.getTimerCount()).toBe(1);
    op.resolve("conn");
    await expect(guarded).resolves.toBe("conn");
    expect(vi.getTimerCount()).toBe(0);
    expect(remove).toHaveBeenCalledWith("abort", expect.any(Function));
  });

  it("passes the operation's failure through and clears the timer", async () => {
    const op = deferred<string>();
    const guarded = guard(op.promise, { timeoutMs: 1000, timeoutError, discard: () => {} });
    op.reject(new Error("refused"));
    await expect(guarded).rejects.toThrow("refused");
    expect(vi.getTimerCount()).toBe(0);
  });

  it("on time-out: rejects, cancels, and discards a value that still arrives", async () => {
    const op = deferred<string>();
    const cancel = vi.fn();
    const discard = vi.fn();
    const guarded = guard(op.promise, { timeoutMs: 50, timeoutError, cancel, discard });
    vi.advanceTimersByTime(50);
    await expect(guarded).rejects.toMatchObject({ kind: "timeout", phase: "connect" });
    expect(cancel).toHaveBeenCalledOnce();
    op.resolve("late connection");
    await Promise.resolve();
    await Promise.resolve();
    expect(discard).toHaveBeenCalledWith("late connection");
  });

  it("on abort: rejects with kind aborted and the signal's reason as cause", async () => {
    const op = deferred<string>();
    const controller = new AbortController();
    const cancel = vi.fn();
    const guarded = guard(op.promise, {
      timeoutMs: 1000,
      signal: controller.signal,
      timeoutError,
      cancel,
      discard: () => {},
    });
    const reason = new Error("user");
    controller.abort(reason);
    const error = await guarded.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmtpError);
    expect(error).toMatchObject({ kind: "aborted", cause: reason });
    expect(cancel).toHaveBeenCalledOnce();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("an already aborted signal rejects at once without starting a timer", async () => {
    const guarded = guard(new Promise<string>(() => {}), {
      timeoutMs: 1000,
      signal: AbortSignal.abort("gone"),
      timeoutError,
      discard: () => {},
    });
    await expect(guarded).rejects.toMatchObject({ kind: "aborted", cause: "gone" });
    expect(vi.getTimerCount()).toBe(0);
  });

  it("a non-finite timeout starts no timer", async () => {
    const op = deferred<number>();
    const guarded = guard(op.promise, { timeoutMs: Infinity, timeoutError, discard: () => {} });
    expect(vi.getTimerCount()).toBe(0);
    op.resolve(1);
    await expect(guarded).resolves.toBe(1);
  });
});
