import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseTranscript, replayTranscript } from "../src/replay/index.ts";
import { engine, type Misbehaviour, SEND, SmtpError, type Trace } from "./fault-checker-engines.ts";

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

  it("stops feeding a batch once the engine closed", () => {
    const extra = SEND.replace("S: 221 bye\n", "S: 221 bye\nS: 250 late\n");
    const traces: Trace[] = [];
    const outcome = replayTranscript(parseTranscript(extra), {
      createSession: engine({}, traces),
      chunking: { splitAt: "221 bye\r\n".length },
    });
    expect(outcome.failure).toBeUndefined();
    expect(traces[0]?.at(-1)).toBe('receiveData "221 bye\\r\\n"');
  });

  it("stops feeding a body once the engine closed", () => {
    let closing = false;
    const quitter: Misbehaviour = {
      input: (key, _args, call) => {
        if (key === "bodyChunk") closing = true;
        return call();
      },
      inject: () => {
        if (!closing) return [];
        closing = false;
        const error = new SmtpError({ kind: "connection", message: "gone" });
        return [{ type: "close", reason: "error", error }];
      },
    };
    const traces: Trace[] = [];
    replayTranscript(parseTranscript(SEND), {
      createSession: engine(quitter, traces),
      splitBody: true,
      chunking: "bytes",
    });
    const body = (traces[0] as Trace).filter((call) => call.startsWith("body"));
    expect(body).toEqual(['bodyChunk "H"']);
  });

  it("gives the engine a random source only when the @job has randomBytes", () => {
    const scram = parseTranscript(read("auth-scram-sha-256.smtp"));
    expect(replayTranscript(scram).failure).toBeUndefined();
    delete (scram.job as { randomBytes?: string }).randomBytes;
    // Without one the engine cannot make a SCRAM nonce, so it picks PLAIN instead.
    const actual = replayTranscript(scram).failure?.actual;
    expect(new TextDecoder().decode(actual)).toMatch(/^AUTH PLAIN /);
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

/** The calls of replayTranscript's engine for `text`, without writes and server bytes. */
function driverCalls(text: string, how: Misbehaviour = {}, quit?: boolean): string[] {
  const transcript = parseTranscript(text);
  if (quit !== undefined) transcript.job.quit = quit;
  const traces: Trace[] = [];
  const outcome = replayTranscript(transcript, { createSession: engine(how, traces) });
  expect(outcome.failure).toBeUndefined();
  return (traces[0] as Trace).filter((call) => !/^(write|receiveData|bodyChunk) /.test(call));
}

describe("replayTranscript's own quit", () => {
  it("comes once every message has its result, and only then", () => {
    const three = read("pipelining-three-messages-one-round-trip-each.smtp");
    expect(driverCalls(three)).toEqual([
      "connected",
      "send",
      "send",
      "send",
      "bodyEnd",
      "bodyEnd",
      "bodyEnd",
      "quit",
    ]);
    expect(driverCalls(SEND)).toEqual(["connected", "send", "bodyEnd", "quit"]);
  });

  it("comes after the last send() when every send() threw", () => {
    expect(driverCalls(read("envelope-nul-refused-as-line-break.smtp"))).toEqual([
      "connected",
      "send",
      "send",
      "quit",
    ]);
  });

  it("comes once, however often the engine says it is ready", () => {
    const twice: Misbehaviour = { action: (a) => (a.type === "ready" ? [a, a] : a) };
    expect(driverCalls(read("starttls-opportunistic-offered.smtp"), twice)).toEqual([
      "connected",
      "tlsEstablished",
      "quit",
    ]);
  });

  it("is not repeated after a -- quit -- marker, even in a transcript built with quit left on", () => {
    const marked = SEND.replace("EOD\nS: 250 queued", "EOD\n-- quit --\nS: 250 queued");
    expect(driverCalls(marked, {}, true)).toEqual(["connected", "send", "bodyEnd", "quit"]);
  });
});

describe("replayTranscript's TLS handshakes", () => {
  it("each needs its own upgrade request", () => {
    const tls = read("starttls-opportunistic-offered.smtp");
    const [before, after] = tls.split("-- starttls --\n") as [string, string];
    const twice = `${before}-- starttls --\n${after.replace("C: EHLO client.example.test\n", "C: EHLO client.example.test\n-- starttls --\n")}`;
    expect(replayTranscript(parseTranscript(twice)).failure?.message).toBe(
      "the transcript upgrades to TLS but the engine did not ask for it",
    );
  });
});
