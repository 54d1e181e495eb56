import { describe, expect, it } from "vitest";
import { SmtpError } from "../src/errors.ts";
import {
  assertReplay,
  assertReplayEveryChunking,
  everyChunking,
  formatReplayFailure,
  parseTranscript,
  ReplayAssertionError,
  type ReplaySession,
} from "../src/replay/index.ts";
import { Session } from "../src/session.ts";
import type { Action, SessionOptions } from "../src/session-types.ts";
import { SEND } from "./fault-checker-engines.ts";

// What assertReplay, assertReplayEveryChunking and formatReplayFailure tell a developer
// whose replay failed: the exact text, and the error's fields.

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe("formatReplayFailure", () => {
  it("names the line, the chunking (whole by default) and says what differed", () => {
    expect(formatReplayFailure({ line: 7, message: "something differed" })).toBe(
      "replay failed at line 7 (chunking: whole): something differed",
    );
  });

  it("says 'end of transcript' for line 0, and names the file when given", () => {
    expect(formatReplayFailure({ line: 0, message: "m" }, "bytes", "a.smtp")).toBe(
      "replay of a.smtp failed at end of transcript (chunking: bytes): m",
    );
    expect(formatReplayFailure({ line: 1, message: "m" }, "whole", "")).toBe(
      "replay failed at line 1 (chunking: whole): m",
    );
  });

  it("names each chunking: an offset, a seed, a function", () => {
    const at = (chunking: Parameters<typeof formatReplayFailure>[1]) =>
      formatReplayFailure({ line: 2, message: "m" }, chunking);
    expect(at({ splitAt: 3 })).toBe("replay failed at line 2 (chunking: split at 3): m");
    expect(at({ seed: 42 })).toBe("replay failed at line 2 (chunking: seed 42): m");
    expect(at(() => [1])).toBe("replay failed at line 2 (chunking: custom): m");
  });

  it("shows both sides of a byte mismatch, one wire line per indented line, and the first difference", () => {
    const failure = {
      line: 9,
      message: "the client's bytes differ from the transcript",
      expected: bytes("MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\n"),
      actual: bytes("MAIL FROM:<a@x>\r\nRCPT TO:<c@x>\r\n"),
    };
    expect(formatReplayFailure(failure, "whole", "x.smtp")).toBe(
      [
        "replay of x.smtp failed at line 9 (chunking: whole): the client's bytes differ from the transcript",
        "  first difference at byte 26",
        "  expected client bytes:",
        "    MAIL FROM:<a@x>\\r\\n",
        "    RCPT TO:<b@x>\\r\\n",
        "    ",
        "  actual client bytes:",
        "    MAIL FROM:<a@x>\\r\\n",
        "    RCPT TO:<c@x>\\r\\n",
        "    ",
      ].join("\n"),
    );
  });

  it("shows an empty side as (nothing)", () => {
    const text = (expected: string, actual: string) =>
      formatReplayFailure({
        line: 3,
        message: "m",
        expected: bytes(expected),
        actual: bytes(actual),
      });
    expect(text("", "NOOP\r\n")).toBe(
      "replay failed at line 3 (chunking: whole): m\n  first difference at byte 0\n  expected client bytes:\n    (nothing)\n  actual client bytes:\n    NOOP\\r\\n\n    ",
    );
    expect(text("QUIT\r\n", "")).toBe(
      "replay failed at line 3 (chunking: whole): m\n  first difference at byte 0\n  expected client bytes:\n    QUIT\\r\\n\n    \n  actual client bytes:\n    (nothing)",
    );
  });

  it("shows no bytes unless both sides are given", () => {
    expect(formatReplayFailure({ line: 4, message: "m", expected: bytes("QUIT\r\n") })).toBe(
      "replay failed at line 4 (chunking: whole): m",
    );
    expect(formatReplayFailure({ line: 4, message: "m", actual: bytes("QUIT\r\n") })).toBe(
      "replay failed at line 4 (chunking: whole): m",
    );
  });
});

describe("ReplayAssertionError", () => {
  const broken = SEND.replace("C: QUIT", "C: QUIT NOW");
  const thrown = (run: () => unknown): ReplayAssertionError => {
    try {
      run();
    } catch (error) {
      if (error instanceof ReplayAssertionError) return error;
      throw error;
    }
    throw new Error("no ReplayAssertionError thrown");
  };

  it("is named, carries the failure and the chunking it failed with", () => {
    const error = thrown(() => assertReplay(broken, { chunking: { splitAt: 3 }, name: "b.smtp" }));
    expect(error.name).toBe("ReplayAssertionError");
    expect(error.chunking).toEqual({ splitAt: 3 });
    expect(error.failure?.line).toBe(18);
    expect(error.message.split("\n")[0]).toBe(
      "replay of b.smtp failed at line 18 (chunking: split at 3): the client's bytes differ from the transcript",
    );
    const whole = thrown(() => assertReplay(broken));
    expect(whole.chunking).toBe("whole");
    expect(whole.message.split("\n")[0]).toBe(
      "replay failed at line 18 (chunking: whole): the client's bytes differ from the transcript",
    );
  });
});

/**
 * An engine for four messages: the first refused by send(), the second failed, the third
 * never answered, the fourth sent; then it closes on an error, at the server's first bytes.
 * Its state tells whether those came as one byte.
 */
function fourOutcomes(): ReplaySession {
  let first = 0;
  let sends = 0;
  const actions: Action[] = [];
  const engine: ReplaySession = {
    connected() {},
    receiveData(chunk) {
      if (first > 0) return;
      first = chunk.length;
      actions.push(
        {
          type: "result",
          id: 2,
          result: {
            ok: false,
            error: new SmtpError({
              kind: "rejected",
              message: "refused",
              reply: { code: 550, enhancedCode: "5.7.1", lines: ["no"] },
              command: "RCPT TO:<b@x.test>",
            }),
            accepted: [],
            rejected: [],
            dataSent: false,
          },
        },
        {
          type: "result",
          id: 4,
          result: {
            ok: true,
            accepted: ["b@x.test"],
            rejected: [],
            reply: { code: 250, lines: ["ok"] },
          },
        },
        {
          type: "close",
          reason: "error",
          error: new SmtpError({ kind: "timeout", message: "late", phase: "command" }),
        } as Action,
      );
    },
    receiveEof() {},
    tlsEstablished() {},
    tokenRefreshed() {},
    handleTimeout() {},
    transportFailed() {},
    send() {
      sends++;
      if (sends === 1)
        throw new SmtpError({ kind: "invalid-input", message: "bad", detail: "bad-address" });
      return sends;
    },
    bodyChunk() {},
    bodyEnd() {},
    noop() {},
    quit() {},
    pollTransmit: () => null,
    pollAction: () => actions.shift() ?? null,
    pollTimeout: () => (first > 0 ? null : 5),
    get state() {
      return first === 1 ? "one byte" : "more";
    },
    idle: true,
    capabilities: undefined,
  };
  return engine;
}

describe("assertReplayEveryChunking", () => {
  const message = (to: string) => `{"from":"a@x.test","to":["${to}"],"body":"x"}`;
  const four = `@job {"messages":[${["b@x.test", "b@x.test", "c@x.test", "b@x.test"].map(message).join(",")}]}\nS: 220 hi\n-- error timeout --\n`;

  it("compares results, thrown errors, missing results, the close and the state between chunkings", () => {
    let error: unknown;
    try {
      assertReplayEveryChunking(four, { createSession: fourOutcomes, name: "four.smtp" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ReplayAssertionError);
    const summary = (state: string) =>
      JSON.stringify({
        results: [
          {
            thrown: {
              kind: "invalid-input",
              detail: "bad-address",
              retryable: false,
              message: "bad",
            },
          },
          {
            ok: false,
            error: {
              kind: "rejected",
              code: 550,
              enhancedCode: "5.7.1",
              retryable: false,
              command: "RCPT TO:<b@x.test>",
              message: "refused",
            },
            accepted: [],
            rejected: [],
            dataSent: false,
          },
          null,
          { ok: true, accepted: ["b@x.test"], rejected: [], reply: { code: 250, lines: ["ok"] } },
        ],
        close: {
          reason: "error",
          error: { kind: "timeout", phase: "command", retryable: true, message: "late" },
        },
        state,
      });
    expect((error as ReplayAssertionError).message).toBe(
      `replay of four.smtp differs between chunking "whole" and "bytes":\n  whole: ${summary("more")}\n  other: ${summary("one byte")}`,
    );
    expect((error as ReplayAssertionError).failure).toBeUndefined();
    expect((error as ReplayAssertionError).chunking).toBe("bytes");
  });

  it("without a name, says 'replay' alone", () => {
    expect(() => assertReplayEveryChunking(four, { createSession: fourOutcomes })).toThrow(
      /^replay differs between chunking "whole" and "bytes":/,
    );
  });

  it("replays with seeds 1, 2 and 3 unless told otherwise, and cuts bodies only with splitBody", () => {
    const seen: string[] = [];
    const spy = (options: SessionOptions): ReplaySession => {
      const session = new Session(options);
      return new Proxy(session, {
        get(target, key) {
          const value = Reflect.get(target, key, target);
          if (key === "bodyChunk")
            return (id: number, chunk: Uint8Array, now: number) => {
              seen.push(new TextDecoder().decode(chunk));
              return target.bodyChunk(id, chunk, now);
            };
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
    };
    const longBody = SEND.replace(
      '"body":"Hi\\n"',
      '"body":"Hello there, a long body.\\n"',
    ).replace("C<<EOD\nHi\n", "C<<EOD\nHello there, a long body.\n");
    const parsed = parseTranscript(longBody);
    const runs = everyChunking(parsed).length;
    expect(everyChunking(parsed).slice(-3)).toEqual([{ seed: 1 }, { seed: 2 }, { seed: 3 }]);
    assertReplayEveryChunking(longBody, { createSession: spy });
    // One whole piece per replay: the body is never cut without splitBody.
    expect(seen).toEqual(Array(runs).fill("Hello there, a long body.\n"));
    seen.length = 0;
    assertReplayEveryChunking(longBody, { createSession: spy, splitBody: true });
    expect(seen.length).toBeGreaterThan(runs);
    expect(seen.filter((piece) => piece === "Hello there, a long body.\n").length).toBeLessThan(
      runs,
    );
    // The body (26 bytes) is longer than any server batch (24): with splitBody, it is also
    // cut at the offsets past the longest batch.
    expect(seen).toContain("Hello there, a long body.");
    seen.length = 0;
    assertReplayEveryChunking(longBody, { createSession: spy, seeds: [] });
    expect(seen).toHaveLength(runs - 3);
  });
});
