import { afterEach, describe, expect, it, vi } from "vitest";
import { Connection } from "../src/connection.ts";
import { resolveOptions } from "../src/resolve-options.ts";
import { openConnection, queuedSend } from "./connection-harness.ts";
import type { FakeSession } from "./fakes.ts";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("Connection: what it carries", () => {
  it("numbers the client's connections from 1", async () => {
    const options = resolveOptions({ host: "mx.example.test" });
    const events = { ready: () => {}, result: () => {}, closed: () => {} };
    const never = new Promise<never>(() => {});
    const first = new Connection(options, never, events);
    const second = new Connection(options, never, events);
    expect([first.id, second.id]).toEqual([1, 2]);
    expect(options.connectionCounter.count).toBe(2);
    first.abort(undefined, "done");
    second.abort(undefined, "done");
    await Promise.all([first.closed, second.closed]);
  });

  it("counts messages waiting for the session and in flight, and their bytes until each is finished", async () => {
    const h = openConnection();
    const sized = queuedSend();
    const size = sized.job.size!;
    expect(size).toBeGreaterThan(0);
    expect(h.connection.load).toBe(0);
    expect(h.connection.inFlightBytes).toBe(0);
    h.connection.submit(sized);
    // Handed over before the session exists: it waits, and counts.
    expect(h.connection.load).toBe(1);
    expect(h.connection.inFlightBytes).toBe(size);
    const unsized = queuedSend({ unknownSize: true });
    h.connection.submit(unsized);
    expect(h.connection.load).toBe(2);
    expect(h.connection.inFlightBytes).toBe(Infinity);
    expect([sized.attempts, unsized.attempts, h.connection.submitted]).toEqual([1, 1, 2]);
    await h.resultCount(1);
    // The sized one is done; the one of unknown size still weighs without bound.
    expect(h.connection.load).toBe(1);
    expect(h.connection.inFlightBytes).toBe(Infinity);
    await h.resultCount(2);
    expect(h.connection.load).toBe(0);
    expect(h.connection.inFlightBytes).toBe(0);
    const another = queuedSend();
    h.connection.submit(another);
    expect(h.connection.inFlightBytes).toBe(size);
    await h.resultCount(3);
    expect(h.connection.inFlightBytes).toBe(0);
    expect(h.results.map(([send, r]) => [send, r.ok])).toEqual([
      [sized, true],
      [unsized, true],
      [another, true],
    ]);
    h.connection.quit();
    await expect(h.connection.closed).resolves.toEqual({ reason: "quit" });
  });

  it("counts the messages it delivered, not the ones that failed", async () => {
    let served = 0;
    const h = openConnection({
      // The first message is answered; the server goes away during the second.
      respond: (line) => {
        if (line === "HELLO") return "ready";
        if (line.startsWith("MAIL")) return "go";
        if (line === ".") return served++ === 0 ? "ok" : null;
        return undefined;
      },
    });
    await h.ready;
    h.connection.submit(queuedSend());
    await h.resultCount(1);
    expect(h.connection.delivered).toBe(1);
    h.connection.submit(queuedSend());
    await h.resultCount(2);
    expect(h.results.map(([, r]) => r.ok)).toEqual([true, false]);
    expect(h.connection.delivered).toBe(1);
    await h.connection.closed;
  });
});

describe("Connection: the NOOP probe after noopAfterIdle", () => {
  it("probes when idle for exactly noopAfterIdle, counting from its last result, and never while busy", async () => {
    let clock = 0;
    vi.spyOn(performance, "now").mockImplementation(() => clock);
    const h = openConnection({ options: { pool: { noopAfterIdle: 1_000 } } });
    await h.ready; // idle since 0
    const session = h.sessions[0] as FakeSession;
    const sends = async (n: number, at: number) => {
      clock = at;
      h.connection.submit(queuedSend());
      await h.resultCount(n);
    };
    await sends(1, 999); // idle for 999: no probe; idle again since 999
    await sends(2, 1_999); // idle for 1000: probe; idle again since 1999
    await sends(3, 2_998); // idle for 999: no probe
    // Two at once, the second while the first is in flight, long after the last result.
    clock = 10_000;
    h.connection.submit(queuedSend());
    h.connection.submit(queuedSend());
    await h.resultCount(5);
    expect(session.out).toEqual([
      "HELLO",
      "MAIL 1",
      ".",
      "NOOP",
      "MAIL 2",
      ".",
      "MAIL 3",
      ".",
      "NOOP",
      "MAIL 4",
      ".",
      "MAIL 5",
      ".",
    ]);
    h.connection.quit();
    await h.connection.closed;
  });
});
