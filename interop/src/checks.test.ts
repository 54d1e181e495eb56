import { describe, expect, it } from "vitest";
import { SmtpError } from "../../packages/client/src/index.ts";
import { arrivalProblems, describeError, replyErrorProblems } from "./checks.ts";
import type { StoredMessage } from "./store/stored-message.ts";
import { TranscriptLog } from "./transcript.ts";

const stored = (messageId: string, envelopeFrom: string): StoredMessage => ({
  path: messageId,
  mailbox: "user",
  raw: new Uint8Array(),
  messageId,
  envelopeFrom,
  envelopeTo: undefined,
});

describe("arrivalProblems", () => {
  it("accepts exactly the expected copies under the message's own sender", () => {
    expect(
      arrivalProblems([stored("m", "a@x")], "m", { copies: 1, from: "A@x", label: "#1" }),
    ).toEqual([]);
    expect(arrivalProblems([], "m", { copies: 0, label: "#1" })).toEqual([]);
  });

  it("names a missing, a duplicated, a misdirected and an unexpected delivery", () => {
    expect(arrivalProblems([], "m", { copies: 1, label: "#1" })).toEqual(["#1 was not delivered"]);
    expect(
      arrivalProblems([stored("m", "a@x"), stored("m", "a@x")], "m", { copies: 1, label: "#1" }),
    ).toEqual(["#1 delivered 2 times"]);
    expect(
      arrivalProblems([stored("m", "b@x")], "m", { copies: 1, from: "a@x", label: "#2" }),
    ).toEqual(["#2 delivered with envelope sender <b@x>, not its own <a@x>"]);
    expect(arrivalProblems([stored("m", "a@x")], "m", { copies: 0, label: "#3" })).toEqual([
      "#3 reported failed but was delivered",
    ]);
  });
});

describe("replyErrorProblems", () => {
  const log = new TranscriptLog();
  const record = log.forNewClient();
  record({ connection: 1, direction: "S", text: "535 5.7.8 Authentication failed" });

  it("accepts an error of the kind carrying a reply the server sent", () => {
    const error = new SmtpError({
      kind: "auth",
      message: "refused",
      reply: { code: 535, enhancedCode: "5.7.8", lines: ["Authentication failed"] },
    });
    expect(replyErrorProblems(error, "auth", log)).toEqual([]);
  });

  it("refuses another kind, a reply never sent, and a plain Error", () => {
    const other = new SmtpError({
      kind: "rejected",
      message: "x",
      reply: { code: 535, lines: ["Authentication failed"] },
    });
    expect(replyErrorProblems(other, "auth", log)[0]).toMatch(/^expected SmtpError auth/);
    const invented = new SmtpError({
      kind: "auth",
      message: "x",
      reply: { code: 535, lines: ["something else"] },
    });
    expect(replyErrorProblems(invented, "auth", log)[0]).toMatch(/not a reply the server sent/);
    expect(replyErrorProblems(new Error("boom"), "auth", log)).toEqual([
      "expected SmtpError auth, got Error: boom",
    ]);
  });

  it("describeError shows kind, detail and reply", () => {
    const error = new SmtpError({
      kind: "rejected",
      message: "m",
      detail: "smtputf8-unsupported",
      reply: { code: 550, lines: ["no"] },
    });
    expect(describeError(error)).toBe("SmtpError rejected (smtputf8-unsupported): 550 no");
  });
});
