// How the driver hands a job's body to the session: a short message in memory at once,
// anything else pulled from the owner's iterator, which is closed when the pull stops
// early; and whom a body that cannot be read fails.
import { BODY_COPY_LIMIT, type JobId, SmtpError } from "@smtp/core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { startDrive } from "./drive-run.ts";
import { chunks } from "./fakes.ts";

const enc = new TextEncoder();

/** One step of a {@link scriptedBody}: a chunk, a failure, or a `next()` that never settles. */
type Step = string | Error | "hang";

/**
 * A hand-written body iterator that counts its `next()` and `return()` calls: each
 * `next()` takes the next step, then says done. `ending` is what its `return` is: a method
 * returning a promise, a method returning nothing, or no method at all.
 */
function scriptedBody(steps: Step[], ending: "promise" | "nothing" | "absent" = "promise") {
  const calls = { next: 0, return: 0 };
  let i = 0;
  const iterator: AsyncIterator<Uint8Array> = {
    next: () => {
      calls.next++;
      const step = steps[i++];
      if (step === undefined) return Promise.resolve({ done: true, value: undefined });
      if (step === "hang") return new Promise(() => {});
      if (step instanceof Error) return Promise.reject(step);
      return Promise.resolve({ done: false, value: enc.encode(step) });
    },
  };
  if (ending !== "absent") {
    iterator.return = () => {
      calls.return++;
      return (
        ending === "promise" ? Promise.resolve({ done: true, value: undefined }) : undefined
      ) as Promise<IteratorResult<Uint8Array>>;
    };
  }
  return { calls, body: { [Symbol.asyncIterator]: () => iterator } };
}

/** Job 1's result, which must be a failure. */
async function failureOf(run: ReturnType<typeof startDrive>, id: JobId = 1) {
  await run.info;
  const result = run.results.get(id);
  if (result === undefined || result.ok) throw new Error(`job ${id} did not fail`);
  return result;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("a short message in memory (bodyBytes)", () => {
  /** Runs one job whose bodyBytes are `size` bytes of "a"; the pulled body is "pulled". */
  async function deliver(size: number) {
    let pulls = 0;
    const run = startDrive({
      bodyBytes: () => new Uint8Array(size).fill(0x61),
      body: () => {
        pulls++;
        return chunks("pulled");
      },
    });
    expect((await run.info).reason).toBe("quit");
    return {
      pulls,
      body: run.session.body.map((text) => (text === "pulled" ? text : text.length)),
    };
  }

  it("just under BODY_COPY_LIMIT goes to the session whole, without pulling the body", async () => {
    expect(await deliver(BODY_COPY_LIMIT - 1)).toEqual({ pulls: 0, body: [BODY_COPY_LIMIT - 1] });
    expect(await deliver(1)).toEqual({ pulls: 0, body: [1] });
  });

  it("at BODY_COPY_LIMIT and over, the body is pulled instead", async () => {
    expect(await deliver(BODY_COPY_LIMIT)).toEqual({ pulls: 1, body: ["pulled"] });
    expect(await deliver(BODY_COPY_LIMIT + 1)).toEqual({ pulls: 1, body: ["pulled"] });
  });
});

describe("the body iterator is closed when, and only when, the pull stops early", () => {
  it("a body read to its end is not closed", async () => {
    const { calls, body } = scriptedBody(["Subject: x\r\n\r\n", "hi\r\n"]);
    const run = startDrive({ body: () => body });
    expect((await run.info).reason).toBe("quit");
    expect(run.session.body).toEqual(["Subject: x\r\n\r\n", "hi\r\n"]);
    expect(calls).toEqual({ next: 3, return: 0 });
  });

  it("a body that fails is closed once, and the job fails with invalid-input naming why", async () => {
    const cause = new Error("disk on fire");
    const { calls, body } = scriptedBody(["x\r\n", cause]);
    const result = await failureOf(startDrive({ body: () => body }));
    expect(calls).toEqual({ next: 2, return: 1 });
    expect(result.error).toBeInstanceOf(SmtpError);
    expect(result.error).toMatchObject({
      kind: "invalid-input",
      message: "reading the message body failed: disk on fire",
      retryable: false,
      cause,
    });
    expect(result.dataSent).toBe(true);
  });

  it("a body whose next() outlives the session's deadline is closed, and nothing more is pulled", async () => {
    const { calls, body } = scriptedBody(["hang"]);
    const run = startDrive({ body: () => body });
    await vi.advanceTimersByTimeAsync(999);
    expect(run.results.size).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect((await run.info).reason).toBe("timeout");
    expect((await failureOf(run)).error.kind).toBe("timeout");
    expect(calls).toEqual({ next: 1, return: 1 });
    expect(run.session.body).toEqual([]);
  });

  it.each(["absent", "nothing"] as const)(
    "an iterator whose return is %s still fails the job with its own error",
    async (ending) => {
      const { body } = scriptedBody([new Error("gone")], ending);
      const result = await failureOf(startDrive({ body: () => body }));
      expect(result.error).toMatchObject({
        kind: "invalid-input",
        message: "reading the message body failed: gone",
      });
    },
  );
});

describe("a body that cannot be read", () => {
  it("a body hook that throws fails the job with invalid-input naming why", async () => {
    const cause = new Error("no such file");
    const run = startDrive({
      body: () => {
        throw cause;
      },
    });
    expect((await failureOf(run)).error).toMatchObject({
      kind: "invalid-input",
      message: "reading the message body failed: no such file",
      retryable: false,
      cause,
    });
    expect(run.transport.aborts).toBe(1);
  });

  it("a non-Error thrown by the body is named as text", async () => {
    const { body } = scriptedBody([]);
    body[Symbol.asyncIterator] = () => {
      throw "permission denied";
    };
    const result = await failureOf(startDrive({ body: () => body }));
    expect(result.error.message).toBe("reading the message body failed: permission denied");
  });

  it("an SmtpError from the body passes through as it is", async () => {
    const own = new SmtpError({ kind: "tls", message: "attachment fetch refused" });
    const { body } = scriptedBody([own]);
    expect((await failureOf(startDrive({ body: () => body }))).error).toBe(own);
  });

  it("an abort while the body is pulled fails the job as aborted, not as its body", async () => {
    const controller = new AbortController();
    const { calls, body } = scriptedBody(["hang"]);
    const run = startDrive({ body: () => body, signal: controller.signal });
    await vi.advanceTimersByTimeAsync(10);
    expect(calls.next).toBe(1);
    controller.abort(new Error("user gave up"));
    expect((await failureOf(run)).error).toMatchObject({
      kind: "aborted",
      message: "the operation was aborted",
    });
    expect(calls.return).toBe(1);
  });
});

describe("whom an unreadable body fails", () => {
  it("its own job with its error; a job still queued with a retryable connection error", async () => {
    const cause = new Error("disk on fire");
    const run = startDrive({
      jobs: 2,
      body: (id) => scriptedBody(id === 1 ? [cause] : ["never read"]).body,
    });
    const own = await failureOf(run, 1);
    expect(own.error).toMatchObject({ kind: "invalid-input", cause });
    const other = await failureOf(run, 2);
    expect(other).toMatchObject({ ok: false, accepted: [], rejected: [], dataSent: false });
    expect(other.error).toBeInstanceOf(SmtpError);
    expect(other.error).toMatchObject({
      kind: "connection",
      message: "the connection was closed because another message's body could not be read",
      retryable: true,
      cause: own.error,
    });
    expect((await run.info).error).toBe(own.error);
  });

  it("a job the session had already given its own outcome keeps it", async () => {
    // "bye" in the same read as "go": the session has closed (quit) and failed both jobs
    // with its own error before the body is pulled.
    const run = startDrive({
      jobs: 2,
      server: { MAIL: "go bye" },
      body: () => scriptedBody([new Error("disk on fire")]).body,
    });
    const info = await run.info;
    const first = await failureOf(run, 1);
    const second = await failureOf(run, 2);
    expect(first.error).toMatchObject({ kind: "connection", message: "quit" });
    expect(second.error).toMatchObject({ kind: "connection", message: "quit" });
    // The session's close stands; the failure that stopped the driver is its error.
    expect(info.reason).toBe("quit");
    expect(info.error).toMatchObject({
      kind: "invalid-input",
      message: "reading the message body failed: disk on fire",
    });
  });
});
