import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { findFaultToleranceViolations, parseTranscript } from "../src/replay/index.ts";
import type { Action, SendResult } from "../src/session-types.ts";
import {
  engine,
  type Misbehaviour,
  SEND,
  SmtpError,
  writesAfterClose,
} from "./fault-checker-engines.ts";

// Each rule findFaultToleranceViolations enforces, broken on purpose by one engine: the
// checker must say exactly what went wrong, and where.

const dir = fileURLToPath(new URL("./transcripts/", import.meta.url));
const read = (name: string): string => readFileSync(dir + name, "utf8");

const check = (how: Misbehaviour | (() => Misbehaviour), text = SEND): string[] =>
  findFaultToleranceViolations(parseTranscript(text), { createSession: engine(how) });

/** SEND's faults, as the checker names them: EOF at 0…76 (77 is the unfaulted end), reset after 1…5. */
const eofs = (from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => `EOF after ${from + i} server bytes`);
const resets = (from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => `reset after write ${from + i}`);

/** Replaces each failed result's error. */
const failingWith = (error: (real: SmtpError) => Error): Misbehaviour => ({
  action: (a) =>
    a.type === "result" && !a.result.ok
      ? { ...a, result: { ...a.result, error: error(a.result.error) as SmtpError } }
      : a,
});

describe("without a fault, a broken engine is reported once, before any fault is tried", () => {
  it("an action after close", () => {
    const chatty = (a: Action): Action | Action[] =>
      a.type === "close" ? [a, { type: "ready", capabilities: {} as never }] : a;
    expect(check({ action: chatty })).toEqual([
      'without a fault: the engine asked for "ready" after "close"',
    ]);
  });

  it("bytes written after close", () => {
    expect(check(writesAfterClose)).toEqual([
      "without a fault: the engine wrote bytes after asking to close",
    ]);
  });

  it("a need-body or a result for a job it was never given", () => {
    expect(check({ action: (a) => (a.type === "need-body" ? { ...a, id: 99 } : a) })).toEqual([
      "without a fault: need-body for unknown job 99",
    ]);
    expect(check({ action: (a) => (a.type === "result" ? { ...a, id: 99 } : a) })).toEqual([
      "without a fault: result for unknown job 99",
    ]);
  });

  it("a second result for a message, named by its 1-based number", () => {
    expect(check({ action: (a) => (a.type === "result" ? [a, a] : a) })).toEqual([
      "without a fault: a second result for message 1",
    ]);
    const two = SEND.replace(
      '"body":"Hi\\n"}',
      '"body":"Hi\\n"},{"from":"a@example.test","to":["b@example.test"],"body":"Hi\\n"}',
    );
    // Only the second message's result (the first job's id is 1) is doubled.
    const second = (a: Action): Action | Action[] =>
      a.type === "result" && a.id !== 1 ? [a, a] : a;
    expect(check({ action: second }, two)).toEqual([
      "without a fault: a second result for message 2",
    ]);
  });

  it("a wait without a deadline, with the state it waits in", () => {
    expect(check({ timeout: () => null })).toEqual([
      'without a fault: the engine waits in state "greeting" without a deadline',
    ]);
  });

  it("no TLS upgrade asked for where the transcript has the handshake", () => {
    const tls = read("starttls-opportunistic-offered.smtp");
    expect(check({ action: (a) => (a.type === "upgrade-tls" ? null : a) }, tls)).toEqual([
      "without a fault: the engine did not ask for the TLS upgrade",
    ]);
    // One upgrade asked for, two handshakes in the transcript: the second is not covered.
    const twice = tls.replace("-- starttls --\n", "-- starttls --\n-- starttls --\n");
    expect(findFaultToleranceViolations(parseTranscript(twice))).toEqual([
      "without a fault: the engine did not ask for the TLS upgrade",
    ]);
  });

  it("a transcript that waits for a deadline the engine does not have", () => {
    // Idle after EHLO: nothing is awaited, so there is no deadline to pass.
    const idle = read("noop-keepalive.smtp").replace("-- noop --", "-- timeout --\n-- noop --");
    expect(findFaultToleranceViolations(parseTranscript(idle))).toEqual([
      "without a fault: the transcript waits for a timeout the engine lacks",
    ]);
  });
});

describe("after each fault, a broken engine is reported with the fault", () => {
  it("a deadline kept after closing", () => {
    const clinging = {
      timeout: (d: number | null, s: { state: string }) => (s.state === "closed" ? 5 : d),
    };
    expect(check(clinging)).toEqual(
      [...eofs(0, 76), ...resets(1, 5)].map(
        (f) => `${f}: the engine still has a deadline after closing`,
      ),
    );
  });

  it("a throw, with its message (an Error's or the thrown value itself)", () => {
    for (const thrown of [new Error("boom"), "boom"]) {
      const found = check({
        input: (key, _args, call) => {
          if (key === "receiveEof") throw thrown;
          return call();
        },
      });
      expect(found.filter((v) => !v.endsWith(": no result"))).toEqual(
        eofs(0, 76).map((f) => `${f}: the engine threw: boom`),
      );
      // The message had no result yet where the EOF came before the server's 250 to the data.
      expect(found.filter((v) => v.endsWith(": no result"))).toEqual(
        eofs(0, 67).map((f) => `${f}, message 1: no result`),
      );
    }
  });

  it("a failure that is not an SmtpError", () => {
    const found = check(failingWith(() => new Error("plain")));
    // Every faulted run fails the message, except an EOF after its 250 (68…76) and the
    // reset after QUIT (write 5).
    expect(found).toEqual(
      [...eofs(0, 67), ...resets(1, 4)].map((f) => `${f}, message 1: failed without an SmtpError`),
    );
  });

  it("maybe-delivered although the end of data never went out", () => {
    const pessimist = failingWith(
      () =>
        new SmtpError({
          kind: "connection",
          message: "maybe",
          detail: "maybe-delivered",
          retryable: false,
        }),
    );
    // The end of data goes out once the 354 is in (56 bytes), and after write 3 (the body).
    expect(check(pessimist)).toEqual(
      [...eofs(0, 55), ...resets(1, 3)].map(
        (f) => `${f}, message 1: maybe-delivered although its end of data never went out`,
      ),
    );
  });

  it("a failure where the server's acceptance arrived before the fault", () => {
    // Loses a success whose reply came in one piece with other bytes: the checker's own
    // unfaulted replay goes byte by byte and sees it; the faulted ones go in whole batches.
    const losing = (): Misbehaviour => {
      let piece = 0;
      return {
        input: (key, args, call) => {
          if (key === "receiveData") piece = (args[0] as Uint8Array).length;
          return call();
        },
        action: (a) => {
          if (a.type !== "result" || !a.result.ok || piece <= 1) return a;
          const lost: SendResult = {
            ok: false,
            error: new SmtpError({ kind: "protocol", message: "lost" }),
            accepted: a.result.accepted,
            rejected: a.result.rejected,
            dataSent: true,
          };
          return { ...a, result: lost };
        },
      };
    };
    // The 250 to the data ends at byte 68; EOF at 77 is the end of the conversation.
    // Resets are not judged this way: the injector does not count server bytes for them.
    expect(check(losing)).toEqual(
      eofs(68, 77).map(
        (f) => `${f}, message 1: the server's acceptance arrived before the fault, yet it failed`,
      ),
    );
  });
});
