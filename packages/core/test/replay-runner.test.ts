import { describe, expect, it } from "vitest";
import { type Action, Session, type SessionOptions } from "../src/index.ts";
import { createChunker } from "../src/replay/chunking.ts";
import {
  assertReplay,
  assertReplayEveryChunking,
  everyChunking,
  formatReplayFailure,
  parseTranscript,
  ReplayAssertionError,
  type ReplaySession,
  replayTranscript,
} from "../src/replay/index.ts";
import { findSubsetMismatch } from "../src/replay/subset.ts";

const SEND = `@job {"starttls":"never","messages":[{"from":"a@example.test","to":["b@example.test"],"body":"Hi\\n"}]}
@expect {"ok":true,"accepted":["b@example.test"]}
S: 220 mx.example.test ESMTP
C: EHLO client.example.test
S: 250-mx.example.test
S: 250 PIPELINING
C: MAIL FROM:<a@example.test>
C: RCPT TO:<b@example.test>
C: DATA
S: 250 ok
S: 250 ok
S: 354 go
C<<EOD
Hi
.
EOD
S: 250 queued
C: QUIT
S: 221 bye
-- eof --
`;

describe("replayTranscript", () => {
  it("passes a correct conversation and returns results, close and the written bytes", () => {
    const outcome = replayTranscript(parseTranscript(SEND));
    expect(outcome.failure).toBeUndefined();
    expect(outcome.ok).toBe(true);
    expect(outcome.results[0]).toMatchObject({ ok: true, accepted: ["b@example.test"] });
    expect(outcome.close).toMatchObject({ type: "close", reason: "quit" });
    expect(outcome.state).toBe("closed");
    expect(new TextDecoder().decode(outcome.written)).toBe(
      "EHLO client.example.test\r\nMAIL FROM:<a@example.test>\r\nRCPT TO:<b@example.test>\r\nDATA\r\nHi\r\n.\r\nQUIT\r\n",
    );
  });

  it("reports a wrong client line with its file line, both sides and the first differing byte", () => {
    const outcome = replayTranscript(
      parseTranscript(SEND.replace("C: RCPT TO:<b@example.test>", "C: RCPT TO:<c@example.test>")),
    );
    expect(outcome.ok).toBe(false);
    expect(outcome.failure?.line).toBe(10);
    expect(outcome.failure?.message).toBe("the client's bytes differ from the transcript");
    const message = formatReplayFailure(outcome.failure!, { splitAt: 3 }, "x.smtp");
    expect(message).toContain("replay of x.smtp failed at line 10 (chunking: split at 3)");
    expect(message).toContain("first difference at byte 37");
    expect(message).toContain("RCPT TO:<c@example.test>\\r\\n");
    expect(message).toContain("RCPT TO:<b@example.test>\\r\\n");
  });

  it("fails when the client writes bytes earlier than the transcript says (pipelining is part of the fixture)", () => {
    // The transcript claims MAIL waits for... nothing: the server's 250 comes before RCPT.
    const unpipelined = SEND.replace(
      "C: MAIL FROM:<a@example.test>\nC: RCPT TO:<b@example.test>\nC: DATA\nS: 250 ok\n",
      "C: MAIL FROM:<a@example.test>\nS: 250 ok\nC: RCPT TO:<b@example.test>\nC: DATA\n",
    );
    const outcome = replayTranscript(parseTranscript(unpipelined));
    expect(outcome.failure?.message).toBe("the client's bytes differ from the transcript");
    expect(outcome.failure?.line).toBe(8);
  });

  it("fails when the client writes nothing where lines are expected, or bytes where none are", () => {
    const missing = replayTranscript(
      parseTranscript(
        SEND.replace("S: 220 mx.example.test ESMTP\n", "C: NOOP\nS: 220 mx.example.test ESMTP\n"),
      ),
    );
    expect(missing.failure?.message).toBe(
      "the client wrote nothing where the transcript expects client lines",
    );
    const extra = replayTranscript(
      parseTranscript(SEND.replace("C: QUIT\nS: 221 bye\n-- eof --\n", "")),
    );
    expect(extra.failure).toMatchObject({
      line: 0,
      message: "the client wrote bytes where the transcript expects none",
    });
    const trailing = replayTranscript(parseTranscript(`${SEND}C: NOOP\n`));
    expect(trailing.failure).toMatchObject({
      line: 0,
      message: "the client wrote nothing where the transcript expects client lines",
    });
  });

  it("checks @expect as a subset of each result", () => {
    const outcome = replayTranscript(
      parseTranscript(
        SEND.replace('"accepted":["b@example.test"]', '"accepted":["z@example.test"]'),
      ),
    );
    expect(outcome.failure?.message).toBe(
      '@expect, message 1: result.accepted[0]: expected "z@example.test", got "b@example.test"',
    );
  });

  it("checks -- error -- markers, and refuses an unexpected error close", () => {
    const base = `@job {"starttls":"never"}
S: 220 hi
C: EHLO client.example.test
S= "250-a\\r\\n251 b\\r\\n"
`;
    expect(replayTranscript(parseTranscript(`${base}-- error protocol --`)).ok).toBe(true);
    expect(
      replayTranscript(parseTranscript(`${base}-- error timeout --`)).failure?.message,
    ).toMatch(/^expected a "timeout" error, got "protocol/);
    expect(
      replayTranscript(parseTranscript(`${base}-- error protocol/line-too-long --`)).failure
        ?.message,
    ).toMatch(/^expected a "protocol\/line-too-long" error/);
    expect(replayTranscript(parseTranscript(base)).failure?.message).toMatch(
      /^the engine closed with an error the transcript does not expect: error: protocol/,
    );
    const open = replayTranscript(
      parseTranscript(
        '@job {"starttls":"never"}\nS: 220 hi\nC: EHLO client.example.test\n-- error protocol --',
      ),
    );
    expect(open.failure?.message).toBe(
      'expected the engine to close with a "protocol" error, but it did not close',
    );
  });

  it("fails a server batch after the engine closed, and a TLS upgrade nobody asked for", () => {
    const afterClose = replayTranscript(
      parseTranscript(
        '@job {"starttls":"never"}\nS: 220 hi\nC: EHLO client.example.test\nS: bogus\nC: NOOP\nS: 250 ok',
      ),
    );
    expect(afterClose.failure?.message).toMatch(/^the client wrote nothing/);
    const late = replayTranscript(
      parseTranscript(
        '@job {"starttls":"never"}\nS: 220 hi\nC: EHLO client.example.test\nS: bogus\n-- error protocol --\nS: 250 ok',
      ),
    );
    expect(late.failure?.message).toMatch(/^the engine already closed \(error: protocol/);
    const tls = replayTranscript(
      parseTranscript(
        '@job {"starttls":"never"}\nS: 220 hi\nC: EHLO client.example.test\n-- starttls --',
      ),
    );
    expect(tls.failure?.message).toBe(
      "the transcript upgrades to TLS but the engine did not ask for it",
    );
  });

  it("moves the clock to the engine's deadline at -- timeout --, and fails when there is none", () => {
    const outcome = replayTranscript(
      parseTranscript(
        '@job {"starttls":"never","timeouts":{"greeting":1234}}\n-- timeout --\n-- error timeout --',
      ),
      {
        startTime: 1000,
      },
    );
    expect(outcome.ok).toBe(true);
    expect(outcome.close?.error?.phase).toBe("greeting");
    const idle = replayTranscript(
      parseTranscript(
        '@job {"starttls":"never"}\nS: 220 hi\nC: EHLO client.example.test\nS: 250 ok\nC: QUIT\nS: 221 bye\n-- timeout --',
      ),
    );
    expect(idle.failure?.message).toBe(
      "the transcript waits for a timeout but the engine has no deadline",
    );
  });

  it("checks -- closed --", () => {
    const closed =
      '@job {"starttls":"never"}\nS: 220 hi\nC: EHLO client.example.test\nS: 250 ok\nC: QUIT\nS: 221 bye\n-- closed --';
    expect(replayTranscript(parseTranscript(closed)).ok).toBe(true);
    const open = replayTranscript(
      parseTranscript(
        '@job {"starttls":"never"}\nS: 220 hi\nC: EHLO client.example.test\n-- closed --',
      ),
    );
    expect(open.failure).toMatchObject({
      line: 4,
      message: "expected the engine to have asked to close by now",
    });
  });

  it("checks the wait of -- timeout MS --", () => {
    const wait = (ms: number) =>
      replayTranscript(
        parseTranscript(
          `@job {"starttls":"never","timeouts":{"greeting":1234}}\n-- timeout ${ms} --\n-- error timeout --`,
        ),
      );
    expect(wait(1234).ok).toBe(true);
    expect(wait(1000).failure?.message).toBe(
      "expected the deadline 1000 ms ahead, the engine's is 1234 ms ahead",
    );
  });

  it("holds bodies until -- body -- markers, and fails a marker with no body asked for", () => {
    const held = SEND.replace("S: 354 go\n", "S: 354 go\n-- body --\n");
    expect(replayTranscript(parseTranscript(held)).ok).toBe(true);
    const early = replayTranscript(
      parseTranscript(SEND.replace("S: 354 go\n", "-- body --\nS: 354 go\n")),
    );
    expect(early.failure).toMatchObject({
      line: 12,
      message: "the transcript hands over a body but the engine asked for none",
    });
  });

  it("reports options the engine refuses", () => {
    const outcome = replayTranscript(parseTranscript('@job {"ehloName":"bad name"}'));
    expect(outcome.failure?.message).toMatch(/^the engine refused the @job options: SmtpError/);
    expect(outcome.state).toBe("unstarted");
  });

  it("records a send() that throws as the message's outcome", () => {
    const outcome = replayTranscript(
      parseTranscript(
        '@job {"starttls":"never","messages":[{"from":"-x@example.test","to":["b@example.test"],"body":""}]}\n@expect {"ok":false,"thrown":{"kind":"invalid-input"}}\nS: 220 hi\nC: EHLO client.example.test\nS: 250 ok\nC: QUIT\nS: 221 bye',
      ),
    );
    expect(outcome.failure).toBeUndefined();
  });

  it("gives the engine's transcript lines to options.transcript and fixed randomBytes from @job", () => {
    const lines: string[] = [];
    let random: Uint8Array | undefined;
    replayTranscript(
      parseTranscript(
        '@job {"starttls":"never","randomBytes":"ab"}\nS: 220 hi\nC: EHLO client.example.test\nS: 250 ok\nC: QUIT',
      ),
      {
        transcript: (entry) => lines.push(`${entry.direction}: ${entry.text}`),
        createSession: (options) => {
          random = options.randomBytes?.(5);
          return new Session(options);
        },
      },
    );
    expect(lines.slice(0, 2)).toEqual(["S: 220 hi", "C: EHLO client.example.test"]);
    expect([...(random ?? [])]).toEqual([97, 98, 97, 98, 97]);
  });
});

/**
 * A scripted stand-in engine, to check the runner's own invariants. Its actions come out
 * once the first server bytes arrive (after the runner has called send()).
 */
function fakeSession(overrides: Partial<ReplaySession>, actions: Action[] = []): ReplaySession {
  let released = false;
  return {
    connected() {},
    receiveData() {
      released = true;
    },
    receiveEof() {},
    tlsEstablished() {},
    tokenRefreshed() {},
    handleTimeout() {},
    transportFailed() {},
    send: () => 1,
    bodyChunk() {},
    bodyEnd() {},
    noop() {},
    quit() {},
    pollTransmit: () => null,
    pollAction: () => (released ? (actions.shift() ?? null) : null),
    pollTimeout: () => 5,
    state: "ready",
    idle: false,
    capabilities: undefined,
    ...overrides,
  };
}

describe("replayTranscript invariants", () => {
  const one = parseTranscript("@job {}\nS: 220 hi");
  it("fails when the engine throws on server input", () => {
    const outcome = replayTranscript(one, {
      createSession: () =>
        fakeSession({
          receiveData() {
            throw new TypeError("boom");
          },
        }),
    });
    expect(outcome.failure?.message).toBe("the engine threw on receiveData: TypeError: boom");
  });

  it("fails when the engine throws while its outputs are handled (a body chunk)", () => {
    const job = parseTranscript(
      '@job {"messages":[{"from":"","to":["a@x.test"],"body":"x"}]}\nS: 220 hi',
    );
    const outcome = replayTranscript(job, {
      createSession: () =>
        fakeSession(
          {
            bodyChunk() {
              throw new RangeError("no");
            },
          },
          [{ type: "need-body", id: 1 }],
        ),
    });
    expect(outcome.failure?.message).toBe("the engine threw on receiveData: RangeError: no");
  });

  it("fails when the engine waits without a deadline while busy", () => {
    const outcome = replayTranscript(one, {
      createSession: () => fakeSession({ pollTimeout: () => null }),
    });
    expect(outcome.failure?.message).toBe('the engine waits in state "ready" without a deadline');
  });

  it("fails on an action or bytes after close", () => {
    const close: Action = { type: "close", reason: "quit" };
    const twice = replayTranscript(one, {
      createSession: (o: SessionOptions) => fakeSession({ state: o.ehloName }, [close, close]),
    });
    expect(twice.failure?.message).toBe('the engine asked for "close" after "close"');
    let sent = false;
    const bytes = replayTranscript(one, {
      createSession: () =>
        fakeSession(
          {
            pollTransmit: () => {
              if (sent) return null;
              sent = true;
              return new Uint8Array([65]);
            },
          },
          [],
        ),
    });
    expect(bytes.failure?.message).toMatch(/wrote bytes where the transcript expects none/);
  });

  it("fails on results or body requests for unknown jobs, and on a second result", () => {
    const job = parseTranscript(
      '@job {"messages":[{"from":"","to":["a@x.test"],"body":""}]}\nS: 220 hi',
    );
    const result: Action = {
      type: "result",
      id: 1,
      result: { ok: true, accepted: [], rejected: [], reply: { code: 250, lines: [] } },
    };
    expect(
      replayTranscript(job, {
        createSession: () => fakeSession({}, [{ type: "result", id: 9, result: result.result }]),
      }).failure?.message,
    ).toBe("result for unknown job 9");
    expect(
      replayTranscript(job, {
        createSession: () => fakeSession({}, [{ type: "need-body", id: 9 }]),
      }).failure?.message,
    ).toBe("need-body for unknown job 9");
    expect(
      replayTranscript(job, { createSession: () => fakeSession({}, [result, result]) }).failure
        ?.message,
    ).toBe("a second result for message 1");
  });
});

describe("assertReplay and assertReplayEveryChunking", () => {
  it("throw a ReplayAssertionError with the formatted failure", () => {
    const broken = SEND.replace("C: QUIT", "C: QUIT NOW");
    expect(() => assertReplay(broken, { name: "broken.smtp" })).toThrow(ReplayAssertionError);
    expect(() => assertReplay(broken, { name: "broken.smtp" })).toThrow(
      /replay of broken\.smtp failed at line 19 \(chunking: whole\)/,
    );
    try {
      assertReplayEveryChunking(broken);
    } catch (error) {
      expect((error as ReplayAssertionError).failure?.line).toBe(19);
      expect((error as ReplayAssertionError).chunking).toBe("whole");
    }
    expect(assertReplayEveryChunking(SEND).ok).toBe(true);
  });

  it("detect two chunkings that disagree", () => {
    // An engine whose result depends on how the bytes were cut.
    const transcript = parseTranscript("@job {}\nS: 220 hello");
    const create = () => {
      let reads = 0;
      const session = fakeSession({
        receiveData() {
          reads++;
        },
      });
      Object.defineProperty(session, "state", { get: () => (reads > 1 ? "split" : "whole") });
      return session;
    };
    expect(() => assertReplayEveryChunking(transcript, { createSession: create })).toThrow(
      /differs between chunking "whole" and "bytes"/,
    );
  });

  it("cover whole, bytes, every offset of the longest batch, and the seeds", () => {
    const chunkings = everyChunking(
      parseTranscript('@job {}\nS: 220 a\nS= "x"\nC: EHLO\nS: 250 ok'),
      [42],
    );
    expect(chunkings).toEqual([
      "whole",
      "bytes",
      ...[1, 2, 3, 4, 5, 6, 7].map((at) => ({ splitAt: at })),
      { seed: 42 },
    ]);
    const withBody = parseTranscript(
      '@job {"messages":[{"from":"","to":["a@x.test"],"body":"0123456789abc"}]}\nS: 220 a',
    );
    expect(everyChunking(withBody, [], false)).toHaveLength(2 + 6);
    expect(everyChunking(withBody, [], true)).toHaveLength(2 + 12);
  });
});

describe("chunking strategies", () => {
  const bytes = new TextEncoder().encode("0123456789");
  const cut = (chunks: Uint8Array[]) => chunks.map((chunk) => new TextDecoder().decode(chunk));
  it("cut whole, by byte, at an offset, with a function, and randomly but reproducibly", () => {
    expect(cut(createChunker("whole")(bytes))).toEqual(["0123456789"]);
    expect(cut(createChunker("bytes")(bytes))).toHaveLength(10);
    expect(cut(createChunker({ splitAt: 4 })(bytes))).toEqual(["0123", "456789"]);
    expect(cut(createChunker({ splitAt: 40 })(bytes))).toEqual(["0123456789"]);
    expect(cut(createChunker(() => [7, 2, 2, 0, 99])(bytes))).toEqual(["01", "23456", "789"]);
    const a = cut(createChunker({ seed: 5 })(bytes));
    expect(a.join("")).toBe("0123456789");
    expect(cut(createChunker({ seed: 5 })(bytes))).toEqual(a);
    expect(cut(createChunker("bytes")(new Uint8Array(0)))).toEqual([""]);
  });
});

describe("findSubsetMismatch", () => {
  it("matches subsets of objects, arrays of the same length, and errors by their fields", () => {
    expect(
      findSubsetMismatch({ a: 1, b: [1, { c: 2, d: 3 }] }, { b: [1, { c: 2 }] }),
    ).toBeUndefined();
    expect(findSubsetMismatch({ b: [1] }, { b: [1, 2] })).toBe(
      "$.b: expected 2 items, got 1 ([1])",
    );
    expect(findSubsetMismatch({ b: 1 }, { b: [1] })).toBe("$.b: expected an array, got 1");
    expect(findSubsetMismatch(null, { a: 1 })).toBe("$: expected an object, got null");
    expect(findSubsetMismatch(new TypeError("x"), "y")).toBe('$: expected "y", got TypeError(x)');
    expect(findSubsetMismatch(undefined, 1)).toBe("$: expected 1, got undefined");
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(findSubsetMismatch(cyclic, 1)).toBe("$: expected 1, got [object Object]");
  });

  it("checks every item of an array, not only the first", () => {
    expect(findSubsetMismatch([1, 2, 3], [1, 2, 4])).toBe("$[2]: expected 4, got 3");
    expect(findSubsetMismatch([{ a: 1 }, { a: 2 }], [{ a: 1 }, { a: 3 }])).toBe(
      "$[1].a: expected 3, got 2",
    );
    expect(findSubsetMismatch([1, 2, 3], [1, 2, 3])).toBeUndefined();
  });

  it("takes an expected null as a value, and refuses a primitive where an object is expected", () => {
    expect(findSubsetMismatch(null, null)).toBeUndefined();
    expect(findSubsetMismatch({ a: null }, { a: null })).toBeUndefined();
    expect(findSubsetMismatch({}, null)).toBe("$: expected null, got {}");
    expect(findSubsetMismatch(1, { a: 1 })).toBe("$: expected an object, got 1");
    expect(findSubsetMismatch("ab", { length: 2 })).toBe('$: expected an object, got "ab"');
  });
});

describe("byte helpers of the failure report", () => {
  it("show control bytes escaped and find the first difference", async () => {
    const { firstDifference, showBytes } = await import("../src/replay/bytes.ts");
    expect(showBytes(new Uint8Array([0x41, 0x09, 0x5c, 0x00, 0xff, 0x0d, 0x0a, 0x42]))).toBe(
      "A\\t\\\\\\x00\\xff\\r\\n\nB",
    );
    // Printable ASCII is 0x20 to 0x7e: the bytes on either side are escaped.
    expect(showBytes(new Uint8Array([0x1f, 0x20, 0x7e, 0x7f]))).toBe("\\x1f ~\\x7f");
    expect(firstDifference(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(-1);
    expect(firstDifference(new Uint8Array([1, 2]), new Uint8Array([1, 2, 3]))).toBe(2);
    expect(firstDifference(new Uint8Array([1, 9]), new Uint8Array([1, 2, 3]))).toBe(1);
  });
});

describe("chunking strategies, exactly", () => {
  const digits = new TextEncoder().encode("0123456789");
  const cut = (chunks: Uint8Array[]) => chunks.map((chunk) => new TextDecoder().decode(chunk));

  it("a function is told how many batches came before", () => {
    const seen: number[] = [];
    const chunker = createChunker((_, index) => {
      seen.push(index);
      return [];
    });
    for (let i = 0; i < 3; i++) chunker(digits);
    expect(seen).toEqual([0, 1, 2]);
  });

  it("a function's cuts at or past either end, or repeated, give no empty chunk", () => {
    expect(cut(createChunker(() => [10, 20, 30])(digits))).toEqual(["0123456789"]);
    expect(cut(createChunker(() => [-1, 0, 9, 9, 10])(digits))).toEqual(["012345678", "9"]);
    expect(cut(createChunker(() => [1, 9])(digits))).toEqual(["0", "12345678", "9"]);
    expect(cut(createChunker(() => [0])(new Uint8Array(0)))).toEqual([""]);
  });

  it("a seed's cuts are those of mulberry32, the walk going on from batch to batch", () => {
    // A seed named by a failing run must cut the same way in later versions.
    const chunker = createChunker({ seed: 1 });
    expect([cut(chunker(digits)), cut(chunker(digits))]).toEqual([
      ["012", "345", "6789"],
      ["0123", "456", "78", "9"],
    ]);
  });

  it("seeded cuts are mostly 1 to 4 bytes, sometimes longer, never over half the batch", () => {
    const batch = new Uint8Array(64);
    const pieces: number[] = [];
    for (let seed = 1; seed <= 100; seed++) {
      const lengths = createChunker({ seed })(batch).map((chunk) => chunk.length);
      expect(lengths.length).toBeGreaterThan(1);
      expect(lengths.reduce((sum, n) => sum + n, 0)).toBe(64);
      pieces.push(...lengths);
    }
    expect(Math.max(...pieces)).toBe(32);
    const small = pieces.filter((n) => n <= 4).length;
    expect(small / pieces.length).toBeGreaterThan(2 / 3);
    expect(pieces.length - small).toBeGreaterThan(pieces.length / 10);
  });
});
