import { getEventListeners } from "node:events";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Waiter } from "../src/waiter.ts";

const never = () => new Promise<never>(() => {});

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  vi.setSystemTime(0);
});
afterEach(() => {
  vi.useRealTimers();
});

describe("Waiter", () => {
  it("keeps one timer across waits whose deadline moves later; dispose leaves none", async () => {
    const waiter = new Waiter(() => Date.now());
    for (let i = 0; i < 50; i++) {
      const outcome = await waiter.wait(Promise.resolve(i), 1_000 + i);
      expect(outcome).toEqual({ type: "value", value: i });
      expect(vi.getTimerCount()).toBe(1);
    }
    waiter.dispose();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("times out at the current deadline, not the one the timer was armed for", async () => {
    const waiter = new Waiter(() => Date.now());
    await waiter.wait(Promise.resolve(1), 1_000);
    const later = waiter.wait(never(), 1_500);
    let outcome: unknown;
    later.then((o) => {
      outcome = o;
    });
    await vi.advanceTimersByTimeAsync(1_200);
    expect(outcome).toBeUndefined(); // the timer fired at 1000 and re-armed
    await vi.advanceTimersByTimeAsync(300);
    expect(outcome).toEqual({ type: "timeout" });
    expect(vi.getTimerCount()).toBe(0);
    waiter.dispose();
  });

  it("re-arms for an earlier deadline, and clears the timer when there is none", async () => {
    const waiter = new Waiter(() => Date.now());
    await waiter.wait(Promise.resolve(1), 10_000);
    const earlier = waiter.wait(never(), 500);
    await vi.advanceTimersByTimeAsync(500);
    await expect(earlier).resolves.toEqual({ type: "timeout" });
    await waiter.wait(Promise.resolve(2), 10_000);
    expect(vi.getTimerCount()).toBe(1);
    await waiter.wait(Promise.resolve(3), null);
    expect(vi.getTimerCount()).toBe(0);
    waiter.dispose();
  });

  it("an already settled promise wins over a deadline that has passed", async () => {
    const waiter = new Waiter(() => Date.now());
    vi.setSystemTime(5_000);
    await expect(waiter.wait(Promise.resolve("v"), 1_000)).resolves.toEqual({
      type: "value",
      value: "v",
    });
    const passed = waiter.wait(never(), 1_000);
    await vi.advanceTimersByTimeAsync(0);
    await expect(passed).resolves.toEqual({ type: "timeout" });
    waiter.dispose();
  });

  it("one abort listener for its life: an abort ends the wait; dispose removes the listener", async () => {
    const controller = new AbortController();
    const waiter = new Waiter(() => Date.now(), controller.signal);
    for (let i = 0; i < 5; i++) await waiter.wait(Promise.resolve(i), null);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
    waiter.dispose();
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);

    const second = new Waiter(() => Date.now(), controller.signal);
    const pending = second.wait(never(), 60_000);
    controller.abort("stop");
    await expect(pending).resolves.toEqual({ type: "aborted", reason: "stop" });
    await expect(second.wait(Promise.resolve(1), null)).resolves.toEqual({
      type: "aborted",
      reason: "stop",
    });
    second.dispose();
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("an abort drops the waiter's listener at once: the aborted signal holds nothing of it", async () => {
    const controller = new AbortController();
    const waiter = new Waiter(() => Date.now(), controller.signal);
    const pending = waiter.wait(never(), null);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
    controller.abort("stop");
    await expect(pending).resolves.toEqual({ type: "aborted", reason: "stop" });
    // Not yet disposed: the signal (often the caller's, long-lived) must not keep the waiter.
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    waiter.dispose();
  });

  it("a timer that fires early with no wait open is not re-armed", async () => {
    // The waiter's clock lags the timers: the timer of a finished wait fires before its deadline.
    let now = 0;
    const waiter = new Waiter(() => now);
    await expect(waiter.wait(Promise.resolve("v"), 1_000)).resolves.toEqual({
      type: "value",
      value: "v",
    });
    expect(vi.getTimerCount()).toBe(1);
    now = 400;
    await vi.advanceTimersByTimeAsync(1_000);
    // Nothing is due between waits: no timer keeps the process alive.
    expect(vi.getTimerCount()).toBe(0);
    waiter.dispose();
  });

  it("a rejection of the awaited promise is an error outcome, and a late one is swallowed", async () => {
    const waiter = new Waiter(() => Date.now());
    await expect(waiter.wait(Promise.reject(new Error("x")), null)).resolves.toMatchObject({
      type: "error",
    });
    let reject: (e: Error) => void = () => {};
    const late = new Promise<never>((_, r) => {
      reject = r;
    });
    await expect(waiter.wait(late, 100, Promise.resolve())).resolves.toEqual({ type: "wake" });
    reject(new Error("late")); // must not become an unhandled rejection
    await vi.advanceTimersByTimeAsync(200); // the stale timer fires with no wait open
    expect(vi.getTimerCount()).toBe(0);
    waiter.dispose();
  });

  it("arms one timer, for the time left rounded up, while the deadline stays or moves later", async () => {
    let now = 0.25;
    const waiter = new Waiter(() => now);
    const setTimer = vi.spyOn(globalThis, "setTimeout");
    await waiter.wait(Promise.resolve(0), 1_000);
    await waiter.wait(Promise.resolve(1), 1_000);
    now = 100;
    await waiter.wait(Promise.resolve(2), 1_500);
    expect(setTimer.mock.calls.map((call) => call[1])).toEqual([1_000]);
    await waiter.wait(Promise.resolve(3), 999.5);
    expect(setTimer.mock.calls.map((call) => call[1])).toEqual([1_000, 900]);
    setTimer.mockRestore();
    waiter.dispose();
  });

  it("interrupt() ends an interruptible wait only, and does nothing with no wait open", async () => {
    const waiter = new Waiter(() => Date.now());
    let resolve: (v: string) => void = () => {};
    const plain = waiter.wait(new Promise<string>((r) => (resolve = r)), null);
    waiter.interrupt();
    resolve("kept");
    await expect(plain).resolves.toEqual({ type: "value", value: "kept" });
    const interruptible = waiter.waitInterruptible(never(), null);
    waiter.interrupt();
    await expect(interruptible).resolves.toEqual({ type: "wake" });
    waiter.interrupt();
    // Left open by dispose: no wait to end.
    void waiter.waitInterruptible(never(), null);
    waiter.dispose();
    expect(() => waiter.interrupt()).not.toThrow();

    // An interruptible wait that an earlier abort answered at once opens no wait either.
    const controller = new AbortController();
    controller.abort("gone");
    const aborted = new Waiter(() => Date.now(), controller.signal);
    await expect(aborted.waitInterruptible(never(), null)).resolves.toEqual({
      type: "aborted",
      reason: "gone",
    });
    expect(() => aborted.interrupt()).not.toThrow();
    aborted.dispose();
  });

  it("an abort between waits ends nothing and throws nothing; the next wait is aborted", async () => {
    const controller = new AbortController();
    const waiter = new Waiter(() => Date.now(), controller.signal);
    await waiter.wait(Promise.resolve(1), null);
    const [listener] = getEventListeners(controller.signal, "abort");
    controller.abort("between");
    // What the signal ran on that abort: with no wait open it must not throw.
    expect(() => (listener as () => void)()).not.toThrow();
    await expect(waiter.wait(Promise.resolve(2), null)).resolves.toEqual({
      type: "aborted",
      reason: "between",
    });
    waiter.dispose();
  });

  it("used again after dispose, it listens to its signal again", async () => {
    const controller = new AbortController();
    const waiter = new Waiter(() => Date.now(), controller.signal);
    await waiter.wait(Promise.resolve(1), null);
    waiter.dispose();
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    const again = waiter.wait(never(), null);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
    controller.abort("stop");
    await expect(again).resolves.toEqual({ type: "aborted", reason: "stop" });
    waiter.dispose();
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("a wait left open by dispose that settles later leaves the next wait alone", async () => {
    const waiter = new Waiter(() => Date.now());
    let settle: (v: string) => void = () => {};
    const left = waiter.wait(new Promise<string>((r) => (settle = r)), null);
    waiter.dispose();
    let outcome: unknown;
    void waiter.waitInterruptible(never(), 1_000).then((o) => {
      outcome = o;
    });
    settle("late");
    await expect(left).resolves.toEqual({ type: "value", value: "late" });
    waiter.interrupt();
    await vi.advanceTimersByTimeAsync(0);
    expect(outcome).toEqual({ type: "wake" });
    waiter.dispose();
  });
});
