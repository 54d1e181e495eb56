import { describe, expect, it } from "vitest";
import { SmtpError } from "../errors.ts";
import { type AbortSignalLike, raceSignal } from "./race-signal.ts";

const peer = { host: "h", port: 1 };

/** A signal that keeps its listeners by type and honours `once`, as an `EventTarget` does. */
class Signal implements AbortSignalLike {
  aborted = false;
  reason: unknown;
  readonly byType = new Map<string, Set<() => void>>();
  readonly once = new Set<() => void>();
  /** The "abort" listeners. */
  get listeners(): Set<() => void> {
    return this.byType.get("abort") ?? new Set();
  }
  addEventListener(type: string, listener: () => void, options?: { once?: boolean }): void {
    const set = this.byType.get(type) ?? new Set();
    set.add(listener);
    this.byType.set(type, set);
    if (options?.once === true) this.once.add(listener);
  }
  removeEventListener(type: string, listener: () => void): void {
    this.byType.get(type)?.delete(listener);
  }
  abort(reason: unknown): void {
    this.aborted = true;
    this.reason = reason;
    this.fire();
  }
  /** Calls the "abort" listeners (again, for a signal that fires twice). */
  fire(): void {
    for (const listener of [...this.listeners]) {
      if (this.once.has(listener)) this.removeEventListener("abort", listener);
      listener();
    }
  }
}

function settles<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}

describe("raceSignal", () => {
  it("settles like the operation and removes its listener", async () => {
    const signal = new Signal();
    const options = { peer, cancel: () => {}, discard: () => {} };
    expect(await raceSignal(Promise.resolve(3), signal, options)).toBe(3);
    expect(signal.listeners.size).toBe(0);
    const failure = new Error("refused");
    await expect(raceSignal(Promise.reject(failure), signal, options)).rejects.toBe(failure);
    expect(signal.listeners.size).toBe(0);
    expect(await raceSignal(Promise.resolve(4), undefined, options)).toBe(4);
    await expect(raceSignal(Promise.reject(failure), undefined, options)).rejects.toBe(failure);
  });

  it("listens for abort once: no listener is left after the signal fires", async () => {
    const signal = new Signal();
    const racing = raceSignal(new Promise(() => {}), signal, {
      peer,
      cancel: () => {},
      discard: () => {},
    });
    expect(signal.listeners.size).toBe(1);
    expect([...signal.byType.keys()]).toEqual(["abort"]);
    signal.abort("stop");
    expect(signal.listeners.size).toBe(0);
    await expect(racing).rejects.toMatchObject({ kind: "aborted", cause: "stop" });
  });

  it("cancels once even when a signal that ignores `once` fires twice", async () => {
    const signal = new Signal();
    let cancels = 0;
    const racing = raceSignal(new Promise(() => {}), signal, {
      peer,
      cancel: () => {
        cancels++;
      },
      discard: () => {},
    });
    signal.once.clear();
    signal.abort("stop");
    signal.fire();
    expect(cancels).toBe(1);
    await expect(racing).rejects.toMatchObject({ kind: "aborted" });
  });

  it("on abort: rejects with the reason, cancels, and discards a value that still arrives", async () => {
    const signal = new Signal();
    const operation = settles<string>();
    const calls: string[] = [];
    const racing = raceSignal(operation.promise, signal, {
      peer,
      cancel: () => calls.push("cancel"),
      discard: (value) => calls.push(`discard ${value}`),
    });
    const reason = new SmtpError({ kind: "timeout", phase: "connect", message: "late" });
    signal.abort(reason);
    await expect(racing).rejects.toBe(reason);
    operation.resolve("conn");
    await Promise.resolve();
    await Promise.resolve();
    expect(calls).toEqual(["cancel", "discard conn"]);
  });

  it("a reason that is no SmtpError becomes kind aborted; a late failure is ignored", async () => {
    const signal = new Signal();
    const operation = settles<string>();
    const racing = raceSignal(operation.promise, signal, {
      peer,
      cancel: () => {},
      discard: () => {},
    });
    const reason = new Error("user");
    signal.abort(reason);
    await expect(racing).rejects.toMatchObject({ kind: "aborted", cause: reason });
    operation.reject(new Error("too late"));
  });

  it("an already aborted signal rejects at once and adds no listener", async () => {
    const signal = new Signal();
    signal.abort("gone");
    let cancelled = false;
    const racing = raceSignal(new Promise(() => {}), signal, {
      peer,
      cancel: () => {
        cancelled = true;
      },
      discard: () => {},
    });
    await expect(racing).rejects.toMatchObject({ kind: "aborted" });
    expect(cancelled).toBe(true);
    expect(signal.listeners.size).toBe(0);
  });
});
