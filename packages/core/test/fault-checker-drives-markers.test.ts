import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { findFaultToleranceViolations, parseTranscript } from "../src/replay/index.ts";
import type { Action, SendResult } from "../src/session-types.ts";
import { engine, type Misbehaviour, SEND, SmtpError, type Trace } from "./fault-checker-engines.ts";

// How findFaultToleranceViolations plays a transcript's markers (-- starttls --, -- eof --,
// -- timeout --, -- noop --, -- quit --, -- body --) and the driver's own quit, seen from the
// engine's side: its unfaulted run in whole batches, the second engine the checker creates.

const dir = fileURLToPath(new URL("./transcripts/", import.meta.url));
const read = (name: string): string => readFileSync(dir + name, "utf8");

/** Every engine the checker drove for `text`, after asserting the real engine holds. */
function traces(text: string, how: Misbehaviour | (() => Misbehaviour) = {}): Trace[] {
  const all: Trace[] = [];
  expect(
    findFaultToleranceViolations(parseTranscript(text), { createSession: engine(how, all) }),
  ).toEqual([]);
  return all;
}

/** A trace's calls without the writes; server bytes shown as `S: ` and their first line. */
const calls = (trace: Trace): string[] =>
  trace
    .filter((call) => !call.startsWith("write "))
    .map((call) =>
      call.startsWith("receiveData ")
        ? `S: ${(JSON.parse(call.slice("receiveData ".length)) as string).split("\r\n")[0]}`
        : call.startsWith("bodyChunk ")
          ? "bodyChunk"
          : call,
    );

/** The run in whole batches, without a fault. */
const whole = (text: string, how?: Misbehaviour | (() => Misbehaviour)): string[] =>
  calls(traces(text, how)[1] as Trace);

describe("findFaultToleranceViolations plays each marker where the transcript has it", () => {
  it("-- starttls --: the handshake completes after the server's 220", () => {
    const tls = whole(read("starttls-opportunistic-offered.smtp"));
    expect(tls.filter((c) => !c.startsWith("S: "))).toEqual([
      "connected",
      "tlsEstablished",
      "quit",
    ]);
    expect(tls[tls.indexOf("tlsEstablished") - 1]).toBe("S: 220 Go ahead.");
  });

  it("-- eof --: the server's side ends there", () => {
    expect(whole(read("eof-mid-reply.smtp"))).toEqual([
      "connected",
      "send",
      "S: 220 mx.example.test ESMTP",
      "S: 250-mx.example.test",
      "receiveEof",
      "quit",
    ]);
  });

  it("-- timeout --: the clock moves to the engine's deadline", () => {
    const all = traces(read("greeting-timeout.smtp"));
    // No server byte and no write: one EOF (at 0) and no reset besides the two unfaulted runs.
    expect(all).toHaveLength(3);
    expect(all[1]).toEqual(["connected", "send", "handleTimeout at 300000", "quit"]);
    // The EOF at 0 comes before the first step, even when that step is not the server's.
    expect(all[2]).toEqual(["connected", "send", "receiveEof", "quit"]);
  });

  it("-- noop -- and -- quit --: the driver's calls there, and no quit of its own", () => {
    expect(whole(read("noop-keepalive.smtp"))).toEqual([
      "connected",
      "S: 220 localhost ESMTP Postfix (SMTP test peer)",
      "S: 250-localhost",
      "noop",
      "S: 250 2.0.0 Ok",
      "noop",
      "S: 250 2.0.0 Ok",
      "quit",
      "S: 221 2.0.0 Bye",
    ]);
  });

  it("-- body --: a requested body waits for the marker", () => {
    const late = read("body-handed-over-late.smtp");
    const all = traces(late);
    const dataAt =
      "220 mx.example.test ESMTP\r\n250-mx.example.test\r\n250 PIPELINING\r\n250 ok\r\n250 ok\r\n354 go ahead\r\n"
        .length;
    // EOF right after the 354: the body was asked for, but its marker never came.
    expect(calls(all[2 + dataAt] as Trace)).toEqual([
      "connected",
      "send",
      "S: 220 mx.example.test ESMTP",
      "S: 250-mx.example.test",
      "S: 250 ok",
      "receiveEof",
      "quit",
    ]);
    expect(calls(all[1] as Trace).slice(5, 8)).toEqual(["bodyChunk", "bodyEnd", "S: 250 queued"]);
  });

  it("-- body -- with no body asked for: the transcript is refused, as replayTranscript refuses it", () => {
    // Skipping the marker would check a conversation the file does not state: here the body
    // would never be handed over, and the message would fail on the server's "250 queued".
    const early = SEND.replace("S: 250 ok\nS: 250 ok\n", "-- body --\nS: 250 ok\nS: 250 ok\n");
    expect(findFaultToleranceViolations(parseTranscript(early))).toEqual([
      "without a fault: the transcript hands over a body but the engine asked for none",
    ]);
    // One marker too early, one in place: the first is no less wrong.
    const late = read("body-handed-over-late.smtp");
    const twice = late.replace("S: 250 ok\nS: 250 ok\n", "-- body --\nS: 250 ok\nS: 250 ok\n");
    expect(findFaultToleranceViolations(parseTranscript(twice))).toEqual([
      "without a fault: the transcript hands over a body but the engine asked for none",
    ]);
    expect(findFaultToleranceViolations(parseTranscript(late))).toEqual([]);
  });

  it("an empty body: only its end is handed over", () => {
    const empty = SEND.replace('"body":"Hi\\n"', '"body":""').replace("C<<EOD\nHi\n.\nEOD", "C: .");
    expect(whole(empty)).toEqual([
      "connected",
      "send",
      "S: 220 mx",
      "S: 250-mx",
      "S: 250 ok",
      "bodyEnd",
      "S: 250 queued",
      "quit",
      "S: 221 bye",
    ]);
  });
});

describe("the driver's own quit comes once every message has its result", () => {
  it("after the last of three pipelined messages", () => {
    expect(whole(read("pipelining-three-messages-one-round-trip-each.smtp"))).toEqual([
      "connected",
      "send",
      "send",
      "send",
      "S: 220 mx.example.test ESMTP",
      "S: 250-mx.example.test",
      "S: 250 ok",
      "bodyChunk",
      "bodyEnd",
      "S: 250 queued as 1",
      "bodyChunk",
      "bodyEnd",
      "S: 250 queued as 2",
      "bodyChunk",
      "bodyEnd",
      "S: 250 queued as 3",
      "quit",
      "S: 221 2.0.0 bye",
    ]);
  });

  it("at once when every send() threw, and not before the last", () => {
    expect(whole(read("envelope-nul-refused-as-line-break.smtp"))).toEqual([
      "connected",
      "send",
      "send",
      "quit",
      "S: 220 mx.example.test ESMTP",
      "S: 250-mx.example.test",
      "S: 221 2.0.0 bye",
    ]);
  });

  it("not again after a -- quit -- marker, even in a transcript built with quit left on", () => {
    const text = SEND.replace("S: 354 go\n", "S: 354 go\n-- quit --\n");
    const transcript = parseTranscript(text);
    expect(transcript.job.quit).toBe(false);
    transcript.job.quit = true;
    const all: Trace[] = [];
    expect(findFaultToleranceViolations(transcript, { createSession: engine({}, all) })).toEqual(
      [],
    );
    expect(calls(all[1] as Trace).slice(5)).toEqual([
      "bodyChunk",
      "bodyEnd",
      "quit",
      "S: 250 queued",
      "S: 221 bye",
    ]);
  });

  it("once, however often the engine says it is ready", () => {
    const twice = { action: (a: Action) => (a.type === "ready" ? [a, a] : a) };
    const text = read("starttls-opportunistic-offered.smtp");
    expect(whole(text, twice).filter((c) => c === "quit")).toEqual(["quit"]);
  });
});

describe("a result that comes between server batches counts as after the batch, before the next byte", () => {
  it("an EOF right after the batch precedes it; one a byte later follows it", () => {
    // Reports each result at its next input (or when it closes), and loses successes whose reply came in one
    // piece with other bytes (the checker's faulted runs, not its byte-by-byte reference).
    const lateAndLosing = (): Misbehaviour => {
      let piece = 0;
      const held: Action[] = [];
      const due: Action[] = [];
      const lost = (r: Extract<SendResult, { ok: true }>): SendResult => ({
        ok: false,
        error: new SmtpError({ kind: "protocol", message: "lost" }),
        accepted: r.accepted,
        rejected: r.rejected,
        dataSent: true,
      });
      return {
        input: (key, args, call) => {
          if (key === "receiveData") piece = (args[0] as Uint8Array).length;
          due.push(...held.splice(0));
          return call();
        },
        inject: () => due.splice(0),
        action: (a) => {
          if (a.type === "close") return [...held.splice(0), a];
          if (a.type !== "result") return a;
          held.push(a.result.ok && piece > 1 ? { ...a, result: lost(a.result) } : a);
          return null;
        },
      };
    };
    // The 250 to the data ends at byte 68; the result comes out at the -- quit -- marker.
    const quitting = SEND.replace("S: 250 queued\n", "S: 250 queued\n-- quit --\n");
    const found = findFaultToleranceViolations(parseTranscript(quitting), {
      createSession: engine(lateAndLosing),
    });
    expect(found).toEqual(
      Array.from(
        { length: 9 },
        (_, i) =>
          `EOF after ${69 + i} server bytes, message 1: the server's acceptance arrived before the fault, yet it failed`,
      ),
    );
  });

  it("one before the server's first byte: an EOF at 0 precedes it, an EOF at 1 follows it", () => {
    // Answers each send() at once with a made-up result (its real ones dropped): a success
    // in the checker's first, reference engine, a failure in the others.
    let engines = 0;
    const prophet = (): Misbehaviour => {
      const reference = engines++ === 0;
      const made: Action[] = [];
      return {
        input: (key, _args, call) => {
          const id = call();
          if (key === "send") {
            const result: SendResult = reference
              ? {
                  ok: true,
                  accepted: ["b@example.test"],
                  rejected: [],
                  reply: { code: 250, lines: ["ok"] },
                }
              : {
                  ok: false,
                  error: new SmtpError({ kind: "protocol", message: "made up" }),
                  accepted: [],
                  rejected: [],
                  dataSent: false,
                };
            made.push({ type: "result", id: id as number, result });
          }
          return id;
        },
        inject: () => made.splice(0),
        action: (a) => (a.type === "result" ? null : a),
      };
    };
    const found = findFaultToleranceViolations(parseTranscript(SEND), {
      createSession: engine(prophet),
    });
    expect(found).toEqual(
      Array.from(
        { length: 77 },
        (_, i) =>
          `EOF after ${1 + i} server bytes, message 1: the server's acceptance arrived before the fault, yet it failed`,
      ),
    );
  });
});
