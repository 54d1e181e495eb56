// How a driven connection ends: the CloseInfo it reports, the transport closed (within
// closeTimeout) or destroyed, the session drained by the polling contract up to the end.
import { SmtpError } from "@smtp/core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { startDrive } from "./drive-run.ts";
import { FakeSession, type FakeTransport } from "./fakes.ts";

const dec = new TextDecoder();

/** Makes the transport's `n`th write (1-based) never settle; it is still logged. */
function hangWrite(n: number) {
  return (transport: FakeTransport) => {
    const write = transport.write.bind(transport);
    let writes = 0;
    transport.write = (bytes) => {
      if (++writes !== n) return write(bytes);
      transport.writes.push(dec.decode(bytes));
      return new Promise(() => {});
    };
  };
}

/** Makes the transport's graceful close never settle, or fail. */
function stuckClose(how: "hang" | "reject") {
  return (transport: FakeTransport) => {
    transport.close = () => {
      transport.closes++;
      return how === "hang" ? new Promise(() => {}) : Promise.reject(new Error("close failed"));
    };
  };
}

const queueNoop = (session: FakeSession) => session.noop(Date.now());

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("closing after QUIT", () => {
  async function abortsAt(closeTimeout: number | undefined) {
    const run = startDrive({
      transport: stuckClose("hang"),
      ...(closeTimeout === undefined ? {} : { closeTimeout }),
    });
    const limit = closeTimeout ?? 5_000;
    await vi.advanceTimersByTimeAsync(0);
    expect(run.transport.closes).toBe(1);
    await vi.advanceTimersByTimeAsync(limit - 1);
    expect(run.transport.aborts).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(run.transport.aborts).toBe(1);
    expect((await run.info).reason).toBe("quit");
    expect(vi.getTimerCount()).toBe(0);
  }

  it("a close that hangs is destroyed when closeTimeout has passed, not before", async () => {
    await abortsAt(100);
    await abortsAt(1);
  });

  it("closeTimeout defaults to 5 s", async () => {
    await abortsAt(undefined);
  });

  it("a close that fails is destroyed at once", async () => {
    const run = startDrive({ transport: stuckClose("reject"), closeTimeout: 100 });
    expect((await run.info).reason).toBe("quit");
    expect({ closes: run.transport.closes, aborts: run.transport.aborts }).toEqual({
      closes: 1,
      aborts: 1,
    });
  });
});

/** Gives the transport a `closeWrite` that records how many writes came before each call. */
function withCloseWrite(calls: number[], outcome: "resolve" | "reject" = "resolve") {
  return (transport: FakeTransport) => {
    transport.closeWrite = () => {
      calls.push(transport.writes.length);
      return outcome === "resolve"
        ? Promise.resolve()
        : Promise.reject(new Error("shutdown failed"));
    };
  };
}

describe("the half-close after QUIT", () => {
  it("the transport's sending direction is ended once, right after QUIT; the answer is still read", async () => {
    const calls: number[] = [];
    const run = startDrive({ transport: withCloseWrite(calls) });
    expect((await run.info).reason).toBe("quit");
    expect(run.transport.writes.at(-1)).toBe("QUIT\r\n");
    expect(calls).toEqual([run.transport.writes.length]);
    expect(run.transport.closes).toBe(1);
  });

  it("once, also when the answer to QUIT comes in pieces (the loop reads several times)", async () => {
    const calls: number[] = [];
    const run = startDrive({ transport: withCloseWrite(calls), server: { QUIT: "noise" } });
    await vi.advanceTimersByTimeAsync(0);
    expect(run.session.state).toBe("quitting");
    run.transport.push(new TextEncoder().encode("more noise"));
    await vi.advanceTimersByTimeAsync(0);
    run.transport.push(new TextEncoder().encode("bye"));
    expect((await run.info).reason).toBe("quit");
    expect(calls).toHaveLength(1);
  });

  it("not before QUIT: a session that never QUITs is never half-closed", async () => {
    const calls: number[] = [];
    const run = startDrive({ transport: withCloseWrite(calls), quitWhenDone: false });
    await vi.advanceTimersByTimeAsync(0);
    expect(run.results.size).toBe(1);
    expect(calls).toEqual([]);
    run.transport.push(null);
    expect((await run.info).reason).toBe("eof");
    expect(calls).toEqual([]);
  });

  it("a half-close that fails changes nothing: the answer is read and the close is QUIT's", async () => {
    const calls: number[] = [];
    const run = startDrive({ transport: withCloseWrite(calls, "reject") });
    expect((await run.info).reason).toBe("quit");
    expect(calls).toHaveLength(1);
    expect(run.transport.aborts).toBe(0);
  });
});

describe("closing (give the connection no more work)", () => {
  it("is false while the session works, true once it has asked to close", async () => {
    const run = startDrive();
    expect(run.driver.closing).toBe(false);
    expect((await run.info).reason).toBe("quit");
    expect(run.driver.closing).toBe(true);
  });

  it("is true once the transport has failed", async () => {
    const run = startDrive({ faults: { writeThrowsAt: 3 } });
    await vi.advanceTimersByTimeAsync(0);
    expect((await run.info).reason).toBe("error");
    expect(run.driver.closing).toBe(true);
  });
});

describe("how the run ends", () => {
  it("the server's end of stream ends it with reason eof and the session's error", async () => {
    const run = startDrive({ server: { MAIL: null } });
    const info = await run.info;
    expect(info).toEqual({ reason: "eof", error: expect.any(SmtpError) });
    expect(info.error).toMatchObject({ kind: "connection", message: "eof" });
  });

  it("after a transport failure the session's pending output is drained, not written", async () => {
    const run = startDrive({
      faults: { writeThrowsAt: 1 },
      connected: queueNoop,
      quitWhenDone: false,
    });
    const info = await run.info;
    expect(info).toMatchObject({
      reason: "error",
      error: { kind: "connection", message: "connection failed: EPIPE: write after end" },
    });
    expect(run.transport.writes).toEqual(["HELLO\r\n"]);
    expect(run.session.pollTransmit()).toBeNull();
  });

  it("a session that reports no close after a failure: reason error with the failure; other actions are dropped", async () => {
    class NoCloseOnFailure extends FakeSession {
      override transportFailed() {}
    }
    // "tls" after "go": an upgrade-tls action is still queued when the body fails.
    const run = startDrive({
      session: new NoCloseOnFailure(),
      server: { MAIL: "go tls" },
      body: () => ({
        [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error("unreadable")) }),
      }),
    });
    const info = await run.info;
    expect(info).toEqual({ reason: "error", error: expect.any(SmtpError) });
    expect(info.error?.message).toBe("reading the message body failed: unreadable");
    expect(run.transport.aborts).toBe(1);
  });

  it("a write cut short by the deadline: what the session still has is written before its close is handled", async () => {
    const run = startDrive({ transport: hangWrite(1), connected: queueNoop, jobs: 0 });
    await vi.advanceTimersByTimeAsync(999);
    expect(run.transport.writes).toEqual(["HELLO\r\n"]);
    await vi.advanceTimersByTimeAsync(1);
    expect((await run.info).reason).toBe("timeout");
    expect(run.transport.writes).toEqual(["HELLO\r\n", "NOOP\r\n"]);
  });

  it("a TLS handshake cut short by the deadline does not count as established", async () => {
    const run = startDrive({
      quitWhenDone: false,
      transport: (transport) => {
        transport.startTls = () => new Promise(() => {});
      },
    });
    await vi.advanceTimersByTimeAsync(1000);
    expect((await run.info).reason).toBe("timeout");
    expect(run.session.out).toEqual(["HELLO"]);
    expect(run.transport.writes).toEqual(["HELLO\r\n"]);
    expect(run.transport.aborts).toBe(1);
  });
});
