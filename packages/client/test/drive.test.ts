import { BODY_COPY_LIMIT } from "@smtp/core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Driver } from "../src/drive.ts";
import { type DriveSetup, startDrive as start } from "./drive-run.ts";
import { FakeSession, FakeTransport, toyServer } from "./fakes.ts";

const job = { from: "a@example.test", to: ["b@example.test"] };

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("Driver", () => {
  it("runs a conversation: TLS upgrade, body streamed chunk by chunk, result, QUIT, one close", async () => {
    const run = start();
    const info = await run.info;
    expect(info.reason).toBe("quit");
    expect(run.transport.secure).toBe(true);
    expect(run.session.body).toEqual(["Subject: x\r\n\r\n", "hello\r\n"]);
    expect(run.results.get(1)?.ok).toBe(true);
    expect(run.transport.writes.join("")).toBe(
      "HELLO\r\nEHLO-AGAIN\r\nMAIL 1\r\nSubject: x\r\n\r\nhello\r\n.\r\nQUIT\r\n",
    );
    expect({ closes: run.transport.closes, aborts: run.transport.aborts }).toEqual({
      closes: 1,
      aborts: 0,
    });
    expect(vi.getTimerCount()).toBe(0);
  });

  /** Runs one job whose body is `parts`, each `size` bytes (its name, then spaces); logs pulls and writes. */
  async function pullsAndWrites(parts: string[], size: number): Promise<string[]> {
    const events: string[] = [];
    const session = new FakeSession();
    const transport = new FakeTransport(toyServer());
    const write = transport.write.bind(transport);
    transport.write = async (bytes) => {
      events.push(`write-start ${new TextDecoder().decode(bytes.subarray(0, 5)).trim()}`);
      await new Promise<void>((r) => queueMicrotask(r));
      await write(bytes);
      events.push("write-end");
    };
    async function* body() {
      for (const part of parts) {
        events.push(`pull ${part}`);
        const chunk = new Uint8Array(size).fill(0x20);
        chunk.set(new TextEncoder().encode(part));
        yield chunk;
      }
    }
    const driver: Driver = new Driver(
      session,
      transport,
      {
        ready: () => {},
        body: () => body(),
        result: () => {
          session.quit(Date.now());
          driver.wake();
        },
      },
      { now: () => Date.now() },
    );
    session.connected(Date.now());
    session.send(job, Date.now());
    await driver.run();
    return events.slice(events.indexOf(`pull ${parts[0]}`));
  }

  it("writes a chunk of BODY_COPY_LIMIT or more before pulling the next (it may be the caller's buffer)", async () => {
    const events = await pullsAndWrites(["one", "two"], BODY_COPY_LIMIT);
    expect(events.slice(0, 6)).toEqual([
      "pull one",
      "write-start one",
      "write-end",
      "pull two",
      "write-start two",
      "write-end",
    ]);
  });

  it("keeps small chunks pending while pulling, and writes once 64 KiB are pending (back-pressure)", async () => {
    const events = await pullsAndWrites(["a", "b", "c", "d"], 30 * 1024);
    expect(events.slice(0, 10)).toEqual([
      "pull a",
      "pull b",
      "pull c", // 90 KiB pending: written before anything more is pulled
      "write-start a",
      "write-end",
      "write-start b",
      "write-end",
      "write-start c",
      "write-end",
      "pull d",
    ]);
    // The last small chunk goes out after the body ended, before the end of data.
    expect(events.slice(10, 14)).toEqual([
      "write-start d",
      "write-end",
      "write-start .",
      "write-end",
    ]);
  });

  it("feeds jobs queued while the loop waits (wake)", async () => {
    const run = start({ jobs: 2 });
    const info = await run.info;
    expect(info.reason).toBe("quit");
    expect([...run.results.values()].map((r) => r.ok)).toEqual([true, true]);
  });

  describe("R13 the transport is closed or aborted exactly once on every error path", () => {
    const cases: [string, DriveSetup, string, boolean][] = [
      ["the first write throws", { faults: { writeThrowsAt: 1 } }, "connection", false],
      ["a body write throws", { faults: { writeThrowsAt: 4 } }, "connection", true],
      ["startTls rejects", { faults: { startTlsRejects: true } }, "tls", false],
      ["the first read rejects", { faults: { readRejectsAt: 1 } }, "connection", false],
      ["the server closes (EOF)", { server: { MAIL: null } }, "connection", false],
      [
        "the body stream throws",
        {
          body: async function* () {
            yield new TextEncoder().encode("x\r\n");
            throw new Error("disk on fire");
          },
        },
        "invalid-input",
        true,
      ],
    ];
    it.each(cases)("when %s", async (_name, options, kind, dataSent) => {
      const run = start(options);
      const info = await run.info;
      expect(info.reason).not.toBe("quit");
      const result = run.results.get(1);
      expect(result?.ok).toBe(false);
      if (result && !result.ok) {
        expect(result.error.kind).toBe(kind);
        expect(result.dataSent).toBe(dataSent);
      }
      expect(run.transport.finished).toBe(1);
      expect(run.transport.aborts).toBe(1);
      expect(vi.getTimerCount()).toBe(0);
    });

    it("when the signal aborts while waiting for the server", async () => {
      const controller = new AbortController();
      const run = start({
        server: { MAIL: undefined },
        signal: controller.signal,
      });
      await vi.advanceTimersByTimeAsync(10);
      controller.abort(new Error("user gave up"));
      const info = await run.info;
      expect(info.error?.kind).toBe("aborted");
      const result = run.results.get(1);
      expect(result?.ok === false && result.error.kind).toBe("aborted");
      expect(run.transport.finished).toBe(1);
      expect(vi.getTimerCount()).toBe(0);
    });

    it("when the server falls silent: the session's deadline fires", async () => {
      const run = start({ server: { MAIL: undefined } });
      await vi.advanceTimersByTimeAsync(999);
      expect(run.results.size).toBe(0);
      await vi.advanceTimersByTimeAsync(2);
      const info = await run.info;
      expect(info.reason).toBe("timeout");
      expect(run.results.get(1)?.ok).toBe(false);
      expect(run.transport.aborts).toBe(1);
      expect(run.transport.closes).toBe(0);
      expect(vi.getTimerCount()).toBe(0);
    });
  });
});
