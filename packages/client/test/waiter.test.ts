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
});
