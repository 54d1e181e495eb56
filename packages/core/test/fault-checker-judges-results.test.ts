import { describe, expect, it } from "vitest";
import { findFaultToleranceViolations, parseTranscript } from "../src/replay/index.ts";
import type { Action, SendResult } from "../src/session-types.ts";
import { engine, type Misbehaviour, SEND, SmtpError } from "./fault-checker-engines.ts";

// How findFaultToleranceViolations judges each message's result after a fault: a success
// must equal the unfaulted one, a failure must be typed, and an end of data that went out
// unanswered must fail as maybe-delivered, never retryable, when the fault caused it.

type Success = Extract<SendResult, { ok: true }>;

/** SEND's faults by name: EOF at 0…77 (77: after the last byte), reset after writes 1…5. */
const eofs = (from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => `EOF after ${from + i} server bytes`);
const resets = (from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => `reset after write ${from + i}`);

/**
 * Rewrites results in every engine but the first: the checker's unfaulted reference run
 * (fault-checker-injects-faults.test.ts) stays honest, the runs it judges do not.
 */
function afterTheReference(rewrite: (result: SendResult) => SendResult | null): () => Misbehaviour {
  let engines = 0;
  return () => {
    if (engines++ === 0) return {};
    return {
      action: (a: Action) => {
        if (a.type !== "result") return a;
        const result = rewrite(a.result);
        return result === null ? null : { ...a, result };
      },
    };
  };
}

const check = (how: () => Misbehaviour, text = SEND): string[] =>
  findFaultToleranceViolations(parseTranscript(text), { createSession: engine(how) });

const NOT_CONFIRMED = "message 1: reported sent, which the unfaulted run does not confirm";

describe("a success after a fault must be the unfaulted run's success", () => {
  // The success comes once the 250 to the data is in (68 bytes), and before QUIT (write 5).
  const unconfirmed = [...eofs(68, 77), ...resets(5, 5)].map((f) => `${f}, ${NOT_CONFIRMED}`);

  it("the same code, text and accepted recipients: nothing to report", () => {
    const copy = afterTheReference((r) =>
      r.ok ? { ...r, reply: { ...r.reply }, accepted: [...r.accepted] } : r,
    );
    expect(check(copy)).toEqual([]);
  });

  it("another reply code, another reply text or other accepted recipients", () => {
    const changes: ((r: Success) => Success)[] = [
      (r) => ({ ...r, reply: { ...r.reply, code: 251 } }),
      (r) => ({ ...r, reply: { ...r.reply, lines: [...r.reply.lines, "more"] } }),
      (r) => ({ ...r, accepted: [...r.accepted, "c@example.test"] }),
    ];
    for (const change of changes)
      expect(check(afterTheReference((r) => (r.ok ? change(r) : r)))).toEqual(unconfirmed);
  });

  it("a success where the unfaulted run failed, or had no result", () => {
    const refused = SEND.replace("S: 250 queued", "S: 550 too big");
    const sent = (): Success => ({
      ok: true,
      accepted: ["b@example.test"],
      rejected: [],
      reply: { code: 250, lines: ["queued"] },
    });
    // Every faulted run fails the message (the fault or the 550): each reports it sent.
    expect(
      check(
        afterTheReference((r) => (r.ok ? r : sent())),
        refused,
      ),
    ).toEqual([...eofs(0, 78), ...resets(1, 5)].map((f) => `${f}, ${NOT_CONFIRMED}`));
    // The reference run loses the result: no success can be confirmed.
    let engines = 0;
    const forgetful = (): Misbehaviour =>
      engines++ === 0 ? { action: (a) => (a.type === "result" ? null : a) } : {};
    expect(check(forgetful)).toEqual(unconfirmed);
  });
});

describe("an end of data that went out unanswered", () => {
  /** Replaces the error of every failure (in every run, the reference's too). */
  const failingWith = (error: (real: SmtpError) => SmtpError) => (): Misbehaviour => ({
    action: (a) =>
      a.type === "result" && !a.result.ok
        ? { ...a, result: { ...a.result, error: error(a.result.error) } }
        : a,
  });
  // The end of data goes out once the 354 is in (56 bytes) or with write 4; the 250 to it
  // comes at 68 bytes.
  const unanswered = [...eofs(56, 67), ...resets(4, 4)];

  /** Fails each maybe-delivered message with `error` instead; returns what the checker says. */
  const maybeDeliveredAs = (error: (real: SmtpError) => SmtpError): string[] =>
    check(failingWith((e) => (e.detail === "maybe-delivered" ? error(e) : e)));
  const wrongly = (as: string): string[] =>
    unanswered.map(
      (f) =>
        `${f}, message 1: its end of data went out unanswered, but it failed as ${as} instead of maybe-delivered`,
    );

  it("must fail as maybe-delivered and not retryable when a fault ended the connection", () => {
    const retryable = (e: SmtpError) =>
      new SmtpError({
        kind: "connection",
        message: e.message,
        detail: "maybe-delivered",
        retryable: true,
      });
    expect(maybeDeliveredAs(retryable)).toEqual(
      wrongly('"connection/maybe-delivered" (retryable: true)'),
    );
  });

  it("also when the engine calls the fault a timeout", () => {
    const impatient = (e: SmtpError) =>
      new SmtpError({ kind: "timeout", message: e.message, phase: "data-end" });
    expect(maybeDeliveredAs(impatient)).toEqual(wrongly('"timeout/undefined" (retryable: true)'));
  });

  it("also when the engine gives up on the message without calling it maybe-delivered", () => {
    // Not retryable, as maybe-delivered must be, yet the detail does not say why.
    const silent = (e: SmtpError) =>
      new SmtpError({ kind: "connection", message: e.message, retryable: false });
    expect(maybeDeliveredAs(silent)).toEqual(wrongly('"connection/undefined" (retryable: false)'));
  });

  it("may fail otherwise when the server, not the network, ended it", () => {
    const broken = failingWith(
      (e) =>
        new SmtpError({
          kind: "protocol",
          message: `${e.message} (as a protocol error)`,
          retryable: false,
        }),
    );
    expect(check(broken)).toEqual([]);
  });
});
