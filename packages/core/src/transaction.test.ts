import { describe, expect, it } from "vitest";
import { parseCapabilities } from "./capabilities.ts";
import { caught, fieldsOf } from "./errors.test-util.ts";
import type { SendJob } from "./session-types.ts";
import {
  isTooManyRecipients,
  mailParameters,
  rcptCommand,
  rejectionOf,
  validateJob,
} from "./transaction.ts";

// The session-free pieces of a transaction: a job's validation, its MAIL and RCPT
// parameters, and how RCPT replies are read.

const JOB: SendJob = { from: "a@example.org", to: ["b@example.net"] };
const caps = (...keywords: string[]) =>
  parseCapabilities({ code: 250, lines: ["mx.example", ...keywords] });

/** The invalid-input error `validateJob` throws for `job`. */
function refusal(job: unknown) {
  return fieldsOf(caught(() => validateJob(job as SendJob)));
}

describe("validateJob", () => {
  it("says which part of the job is wrong", () => {
    expect(refusal(null)).toEqual({
      kind: "invalid-input",
      message: "the job must be an object",
      detail: "invalid-input",
      retryable: false,
    });
    expect(refusal("a@example.org")).toMatchObject({ message: "the job must be an object" });
    expect(refusal({ to: ["b@example.net"] })).toMatchObject({ message: "from must be a string" });
    expect(refusal({ from: "a@example.org", to: [] })).toEqual({
      kind: "invalid-input",
      message: "a message needs at least one recipient",
      detail: "no-recipient",
      retryable: false,
    });
    expect(refusal({ from: "a@example.org", to: ["b@example.net", 7] })).toMatchObject({
      message: "recipients must be strings",
    });
  });

  it("size: a non-negative safe integer (0 included)", () => {
    expect(() => validateJob({ ...JOB, size: 0 })).not.toThrow();
    expect(() => validateJob({ ...JOB, size: Number.MAX_SAFE_INTEGER })).not.toThrow();
    for (const size of [-1, 1.5, Number.MAX_SAFE_INTEGER + 1, Number.NaN]) {
      expect(refusal({ ...JOB, size })).toEqual({
        kind: "invalid-input",
        message: "size must be a non-negative integer",
        detail: "invalid-input",
        retryable: false,
      });
    }
  });
});

describe("MAIL and RCPT parameters", () => {
  it("SIZE only when both the job and the server have one", () => {
    expect(mailParameters({ ...JOB, size: 10 }, caps("SIZE 100"))).toStrictEqual({ size: 10 });
    expect(mailParameters(JOB, caps("SIZE 100"))).toStrictEqual({});
    expect(mailParameters({ ...JOB, size: 10 }, caps("8BITMIME"))).toStrictEqual({});
  });

  it("SMTPUTF8 on RCPT only for an SMTPUTF8 job", () => {
    expect(rcptCommand(JOB, caps("SMTPUTF8"), "b@example.net")).toStrictEqual({
      name: "RCPT",
      to: "b@example.net",
      params: {},
    });
    expect(
      rcptCommand({ ...JOB, smtpUtf8: true }, caps("SMTPUTF8"), "b@example.net"),
    ).toStrictEqual({ name: "RCPT", to: "b@example.net", params: { smtpUtf8: true } });
  });
});

describe("RCPT replies", () => {
  it("a refusal keeps the enhanced code only when the server sent one", () => {
    expect(
      rejectionOf("b@x", { code: 550, enhancedCode: "5.1.1", lines: ["no", "user"] }),
    ).toStrictEqual({
      address: "b@x",
      code: 550,
      message: "no\nuser",
      enhancedCode: "5.1.1",
    });
    expect(rejectionOf("b@x", { code: 550, lines: ["no"] })).toStrictEqual({
      address: "b@x",
      code: 550,
      message: "no",
    });
  });

  it("the recipient limit: 452 with 4.5.3 or saying so, on any line", () => {
    expect(isTooManyRecipients({ code: 452, enhancedCode: "4.5.3", lines: ["slow down"] })).toBe(
      true,
    );
    expect(isTooManyRecipients({ code: 452, lines: ["Too Many Recipients"] })).toBe(true);
    expect(isTooManyRecipients({ code: 452, lines: ["too many", "recipients"] })).toBe(true);
    expect(isTooManyRecipients({ code: 452, enhancedCode: "4.2.2", lines: ["mailbox full"] })).toBe(
      false,
    );
    expect(isTooManyRecipients({ code: 452, lines: ["mailbox full"] })).toBe(false);
    expect(
      isTooManyRecipients({ code: 451, enhancedCode: "4.5.3", lines: ["too many recipients"] }),
    ).toBe(false);
    expect(
      isTooManyRecipients({ code: 452, enhancedCode: "", lines: ["insufficient storage"] }),
    ).toBe(false);
  });
});
