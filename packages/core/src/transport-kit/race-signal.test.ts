import { describe, expect, it } from "vitest";
import { SmtpError } from "../errors.ts";
import { type AbortSignalLike, raceSignal } from "./race-signal.ts";

const peer = { host: "h", port: 1 };

/** A signal that counts its listeners. */
class Signal implements AbortSignalLike {
  aborted = false;
  reason: unknown;
  readonly listeners = new Set<() => void>();
  addEventListener(_type: "abort", listener: () => void): void {
    this.listeners.add(listener);
  }
  removeEventListener(_type: "abort", listener: () => void): void {
    this.listeners.delete(listener);
  }
  abort(reason: unknown): void {
    this.aborted = true;
    this.reason = reason;
    for (const listener of [...this.listeners]) listener();
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
