import { describe, expect, it } from "vitest";
import { fieldsOf } from "./errors.test-util.ts";
import { type RecipientRejection, SmtpError } from "./errors.ts";
import {
  allRefused,
  dataRefused,
  finishFailed,
  finishOk,
  maybeDelivered,
  misdirectedError,
  notAllAccepted,
  pipeliningRefusedError,
  refusedWith,
  rsetRefusedError,
} from "./job-results.ts";
import type { Action } from "./session-types.ts";
import { type JobState, newTransaction, type Transaction } from "./transaction.ts";

// Each job's one result, and the exact errors users read for each transaction outcome.

function jobState(): JobState {
  return {
    id: 7,
    job: { from: "a@example.org", to: ["b@example.net"] },
    accepted: [],
    rejected: [],
    dataSent: false,
    reply: undefined,
    done: false,
  };
}

function tx(bdat: boolean, rejected: RecipientRejection[] = []): Transaction {
  const t = newTransaction(jobState(), ["b@example.net", "c@example.net"], bdat, false);
  t.rejected.push(...rejected);
  return t;
}

const BAD_MAILBOX: RecipientRejection = {
  address: "b@example.net",
  code: 550,
  enhancedCode: "5.1.1",
  message: "no such user\nhere",
};

describe("job results: one per job", () => {
  it("finishOk reports once, whatever comes after", () => {
    const actions: Action[] = [];
    const js = jobState();
    js.accepted.push("b@example.net");
    js.reply = { code: 250, lines: ["queued"] };
    finishOk(actions, js);
    finishOk(actions, js);
    finishFailed(actions, js, new SmtpError({ kind: "connection", message: "late" }));
    expect(actions).toEqual([
      {
        type: "result",
        id: 7,
        result: {
          ok: true,
          accepted: ["b@example.net"],
          rejected: [],
          reply: { code: 250, lines: ["queued"] },
        },
      },
    ]);
    expect(js.done).toBe(true);
  });

  it("finishFailed reports once, whatever comes after", () => {
    const actions: Action[] = [];
    const js = jobState();
    const error = new SmtpError({ kind: "connection", message: "gone" });
    finishFailed(actions, js, error);
    finishFailed(actions, js, new SmtpError({ kind: "timeout", message: "later" }));
    finishOk(actions, js);
    expect(actions).toEqual([
      {
        type: "result",
        id: 7,
        result: { ok: false, error, accepted: [], rejected: [], dataSent: false },
      },
    ]);
  });
});

describe("job results: errors", () => {
  it("maybeDelivered keeps the cause's command and phase", () => {
    const cause = new SmtpError({
      kind: "timeout",
      message: "no reply within 600000 ms",
      command: "BDAT",
      phase: "data-end",
    });
    const error = maybeDelivered(cause);
    expect(fieldsOf(error)).toEqual({
      kind: "connection",
      message:
        "no reply within 600000 ms, after the end of the message was sent and before the server answered it: the message may have been delivered, so it is not sent again",
      detail: "maybe-delivered",
      command: "BDAT",
      phase: "data-end",
      retryable: false,
    });
    expect(error.cause).toBe(cause);
    const bare = maybeDelivered(new SmtpError({ kind: "connection", message: "reset" }));
    expect(bare.command).toBeUndefined();
    expect(bare.phase).toBeUndefined();
  });

  it("allRefused: the first refusal's reply, every line, its enhanced code", () => {
    const second: RecipientRejection = { address: "c@example.net", code: 551, message: "moved" };
    const error = allRefused(tx(false, [BAD_MAILBOX, second]));
    expect(fieldsOf(error)).toEqual({
      kind: "rejected",
      message: "the server refused every recipient (2)",
      command: "RCPT TO",
      code: 550,
      enhancedCode: "5.1.1",
      response: "no such user\nhere",
      rejected: [BAD_MAILBOX, second],
      retryable: false,
    });
    const plain = allRefused(tx(false, [second]));
    expect(fieldsOf(plain)).toMatchObject({ code: 551, response: "moved" });
    expect(plain.enhancedCode).toBeUndefined();
    // No refusal to take a reply from: the error still says what happened.
    expect(fieldsOf(allRefused(tx(false)))).toEqual({
      kind: "rejected",
      message: "the server refused every recipient (0)",
      command: "RCPT TO",
      rejected: [],
      retryable: false,
    });
  });

  it("notAllAccepted: not retryable, naming RCPT TO", () => {
    expect(fieldsOf(notAllAccepted(tx(false, [BAD_MAILBOX])))).toEqual({
      kind: "rejected",
      message: "the server refused some recipients and requireAllRecipients is set",
      command: "RCPT TO",
      rejected: [BAD_MAILBOX],
      retryable: false,
    });
  });

  it("refusedWith: each address once, not those already listed, with the failure's reply", () => {
    const failure = new SmtpError({
      kind: "rejected",
      message: "the server refused DATA",
      reply: { code: 554, enhancedCode: "5.7.1", lines: ["spam", "go away"] },
    });
    const listed = new Set(["c@example.net"]);
    expect(
      refusedWith(["b@example.net", "c@example.net", "b@example.net", "d@x"], failure, listed),
    ).toStrictEqual([
      { address: "b@example.net", code: 554, message: "spam\ngo away", enhancedCode: "5.7.1" },
      { address: "d@x", code: 554, message: "spam\ngo away", enhancedCode: "5.7.1" },
    ]);
    // A failure with no reply: code 0, its message, no enhanced code key at all.
    const timeout = new SmtpError({ kind: "timeout", message: "no reply" });
    expect(refusedWith(["b@example.net"], timeout, new Set())).toStrictEqual([
      { address: "b@example.net", code: 0, message: "no reply" },
    ]);
  });

  const reply = { code: 554, enhancedCode: "5.6.0", lines: ["bad"] };

  it("dataRefused names BDAT or DATA", () => {
    const base = {
      kind: "rejected",
      message: "the server refused the message",
      code: 554,
      enhancedCode: "5.6.0",
      response: "bad",
      retryable: false,
    };
    expect(fieldsOf(dataRefused(tx(true), reply))).toEqual({ ...base, command: "BDAT" });
    expect(fieldsOf(dataRefused(tx(false), reply))).toEqual({ ...base, command: "DATA" });
  });

  it("rsetRefusedError, pipeliningRefusedError and misdirectedError", () => {
    const reply5 = { code: 500, lines: ["what"] };
    expect(fieldsOf(rsetRefusedError(reply5))).toEqual({
      kind: "protocol",
      message: "the server refused RSET",
      detail: "rset-refused",
      code: 500,
      response: "what",
      command: "RSET",
      retryable: false,
    });
    const go = { code: 354, lines: ["go ahead"] };
    expect(fieldsOf(pipeliningRefusedError(go))).toEqual({
      kind: "protocol",
      message:
        "the server answered DATA with 354 after refusing the pipelined envelope: the connection is closed so that nothing is delivered",
      detail: "pipelining-refused",
      code: 354,
      response: "go ahead",
      command: "DATA",
      retryable: true,
    });
    const queued = { code: 250, lines: ["queued"] };
    expect(fieldsOf(misdirectedError(tx(true), queued))).toEqual({
      kind: "protocol",
      message:
        "the server accepted the data of a message whose MAIL it refused (503): it may have been delivered under another message's envelope",
      detail: "maybe-delivered",
      code: 250,
      response: "queued",
      command: "BDAT",
      retryable: false,
    });
    expect(misdirectedError(tx(false), queued).command).toBe("DATA");
  });
});
