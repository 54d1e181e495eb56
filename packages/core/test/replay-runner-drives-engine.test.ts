import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseTranscript, replayTranscript } from "../src/replay/index.ts";
import { engine, type Misbehaviour, SEND, type Trace } from "./fault-checker-engines.ts";

// How replayTranscript drives the engine: its clock, the bytes it keeps, the body pieces and
// the inputs it does not give a closed engine; seen through a recording engine.

const dir = fileURLToPath(new URL("./transcripts/", import.meta.url));
const read = (name: string): string => readFileSync(dir + name, "utf8");

describe("replayTranscript drives the engine", () => {
  it("measures a -- timeout N -- from the current time, whatever the clock's start", () => {
    const timeout = parseTranscript(read("greeting-timeout.smtp"));
    const traces: Trace[] = [];
    const outcome = replayTranscript(timeout, {
      startTime: 1000,
      createSession: engine({}, traces),
    });
    expect(outcome.failure).toBeUndefined();
    expect(traces[0]).toContain("handleTimeout at 301000");
    const wrong = parseTranscript(
      read("greeting-timeout.smtp").replace("-- timeout 300000 --", "-- timeout 5 --"),
    );
    expect(replayTranscript(wrong, { startTime: 1000 }).failure?.message).toBe(
      "expected the deadline 5 ms ahead, the engine's is 300000 ms ahead",
    );
  });

  it("keeps a copy of each write: an engine may reuse its buffer", () => {
    let previous: Uint8Array | undefined;
    const reusing: Misbehaviour = {
      transmit: (bytes) => {
        previous?.fill(0x58); // "X": the engine overwrites what it handed out before
        previous = bytes ?? undefined;
        return bytes;
      },
    };
    const outcome = replayTranscript(parseTranscript(SEND), { createSession: engine(reusing) });
    expect(outcome.failure).toBeUndefined();
    expect(new TextDecoder().decode(outcome.written)).toBe(
      "EHLO client.example.test\r\nMAIL FROM:<a@example.test>\r\nRCPT TO:<b@example.test>\r\nDATA\r\nHi\r\n.\r\nQUIT\r\n",
    );
  });

  it("hands over no empty body piece, even with splitBody", () => {
    const empty = SEND.replace('"body":"Hi\\n"', '"body":""').replace("C<<EOD\nHi\n.\nEOD", "C: .");
    const traces: Trace[] = [];
    const outcome = replayTranscript(parseTranscript(empty), {
      createSession: engine({}, traces),
      splitBody: true,
      chunking: "bytes",
    });
    expect(outcome.failure).toBeUndefined();
    expect(traces[0]?.filter((call) => call.startsWith("bodyChunk"))).toEqual([]);
    expect(traces[0]).toContain("bodyEnd");
  });

  it("does not tell a closed engine that the server closed too", () => {
    const traces: Trace[] = [];
    expect(replayTranscript(parseTranscript(SEND), { createSession: engine({}, traces) }).ok).toBe(
      true,
    );
    expect(traces[0]).not.toContain("receiveEof");
    expect(traces[0]?.at(-1)).toBe('receiveData "221 bye\\r\\n"');
  });

  it("lets an error of its own (a chunking that throws) through, not as a passing replay", () => {
    const cut = () => {
      throw new RangeError("no cuts today");
    };
    expect(() => replayTranscript(parseTranscript(SEND), { chunking: cut })).toThrow(
      "no cuts today",
    );
  });
});
