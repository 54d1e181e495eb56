import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseTranscript, replayTranscript } from "../src/replay/index.ts";
import { engine, type Misbehaviour, SEND, writesAfterClose } from "./fault-checker-engines.ts";

// replayTranscript's failures that blame the engine: which input it threw on, and what it
// did after asking to close, in the exact words a developer reads.

const dir = fileURLToPath(new URL("./transcripts/", import.meta.url));
const read = (name: string): string => readFileSync(dir + name, "utf8");

const failure = (text: string, how: Misbehaviour) =>
  replayTranscript(parseTranscript(text), { createSession: engine(how) }).failure;

/** An engine that throws on its `n`-th call of `key`. */
const throwsOn = (key: string, n = 1): Misbehaviour => {
  let calls = 0;
  return {
    input: (k, _args, call) => {
      if (k === key && ++calls === n) throw new TypeError(`no ${key}`);
      return call();
    },
  };
};

describe("replayTranscript names the input the engine threw on", () => {
  const cases: [string, string, string, number?][] = [
    [SEND, "connected", "connected"],
    [read("eof-mid-reply.smtp"), "receiveEof", "receiveEof"],
    [read("starttls-opportunistic-offered.smtp"), "tlsEstablished", "tlsEstablished"],
    [read("greeting-timeout.smtp"), "handleTimeout", "handleTimeout"],
    [read("noop-keepalive.smtp"), "noop", "noop"],
    [read("noop-keepalive.smtp"), "quit", "quit"],
    [read("body-handed-over-late.smtp"), "bodyChunk", "bodyChunk"],
  ];
  for (const [text, key, label, n] of cases)
    it(`${label}`, () => {
      expect(failure(text, throwsOn(key, n))?.message).toBe(
        `the engine threw on ${label}: TypeError: no ${key}`,
      );
    });
});

describe("replayTranscript names the message whose send() the engine failed after", () => {
  /** An engine that throws while its output is drained after the `n`-th send(). */
  const failsAfterSend = (n: number): Misbehaviour => {
    let sends = 0;
    let armed = false;
    return {
      input: (key, _args, call) => {
        if (key === "send" && ++sends === n) armed = true;
        return call();
      },
      timeout: (deadline) => {
        if (!armed) return deadline;
        armed = false;
        throw new TypeError("no deadline");
      },
    };
  };

  it("the first, and the third of three", () => {
    expect(failure(SEND, failsAfterSend(1))?.message).toBe(
      "the engine threw on send (message 1): TypeError: no deadline",
    );
    const three = read("pipelining-three-messages-one-round-trip-each.smtp");
    expect(failure(three, failsAfterSend(3))?.message).toBe(
      "the engine threw on send (message 3): TypeError: no deadline",
    );
  });
});

describe("replayTranscript blames the engine for what it does around closing", () => {
  it("bytes written after asking to close", () => {
    expect(failure(SEND, writesAfterClose())).toEqual({
      line: 18,
      message: "the engine wrote bytes after asking to close",
    });
  });

  it("no close, or a clean one, where the transcript expects an error", () => {
    const quits = SEND.replace("-- eof --", "-- error timeout --");
    expect(failure(quits, {})?.message).toBe(
      'expected the engine to close with a "timeout" error, but it closed (quit)',
    );
    const open = read("noop-keepalive.smtp").replace(
      "-- noop --",
      "-- error timeout --\n-- noop --",
    );
    expect(failure(open, {})?.message).toBe(
      'expected the engine to close with a "timeout" error, but it did not close',
    );
  });

  it("another error than the transcript's, with kind, detail and message", () => {
    const eof = read("eof-mid-reply.smtp");
    expect(
      failure(eof.replace("-- error connection --", "-- error timeout --"), {})?.message,
    ).toMatch(/^expected a "timeout" error, got "connection\/eof": \S/);
    expect(
      failure(eof.replace("-- error connection --", "-- error connection/maybe-delivered --"), {})
        ?.message,
    ).toMatch(/^expected a "connection\/maybe-delivered" error, got "connection\/eof": \S/);
  });

  it("another error than the transcript's, when the engine's has no detail", () => {
    const timeout = read("greeting-timeout.smtp").replace(
      "-- error timeout --",
      "-- error connection --",
    );
    expect(failure(timeout, {})?.message).toBe(
      'expected a "connection" error, got "timeout": no answer from the server in the greeting phase',
    );
  });

  it("an error close the transcript does not expect, with or without a detail", () => {
    const eof = read("eof-mid-reply.smtp").replace("-- error connection --\n", "");
    expect(failure(eof, {})?.message).toBe(
      "the engine closed with an error the transcript does not expect: eof: connection/eof: the server closed the connection",
    );
    const timeout = read("greeting-timeout.smtp").replace("-- error timeout --\n", "");
    expect(failure(timeout, {})?.message).toBe(
      "the engine closed with an error the transcript does not expect: timeout: timeout: no answer from the server in the greeting phase",
    );
  });
});
