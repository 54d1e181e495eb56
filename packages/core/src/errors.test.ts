import { describe, expect, it } from "vitest";
import { invalidInput, SmtpError, type SmtpErrorKind } from "./errors.ts";

const reply = (code: number, ...lines: string[]) => ({ code, lines });

describe("SmtpError", () => {
  it("keeps the reply's code, enhanced code and every line of its text", () => {
    const error = new SmtpError({
      kind: "rejected",
      message: "refused",
      reply: { code: 550, enhancedCode: "5.1.1", lines: ["no such user", "see the docs"] },
    });
    expect(error.code).toBe(550);
    expect(error.enhancedCode).toBe("5.1.1");
    expect(error.response).toBe("no such user\nsee the docs");
  });

  it("a reply is retryable exactly when it is 4xx: 399 no, 400 and 499 yes, 500 no", () => {
    const retryable = (code: number) =>
      new SmtpError({ kind: "rejected", message: "m", reply: reply(code, "x") }).retryable;
    expect(retryable(399)).toBe(false);
    expect(retryable(400)).toBe(true);
    expect(retryable(421)).toBe(true);
    expect(retryable(499)).toBe(true);
    expect(retryable(500)).toBe(false);
    expect(retryable(554)).toBe(false);
  });

  it("without a reply, only connection failures and timeouts are retryable", () => {
    const kinds: Record<SmtpErrorKind, boolean> = {
      "invalid-input": false,
      connection: true,
      timeout: true,
      tls: false,
      "tls-required": false,
      auth: false,
      "auth-unavailable": false,
      "insecure-auth": false,
      rejected: false,
      size: false,
      protocol: false,
      aborted: false,
    };
    for (const [kind, retryable] of Object.entries(kinds)) {
      expect(new SmtpError({ kind: kind as SmtpErrorKind, message: "m" }).retryable, kind).toBe(
        retryable,
      );
    }
  });

  it("an explicit retryable wins over the reply and the kind", () => {
    expect(new SmtpError({ kind: "timeout", message: "m", retryable: false }).retryable).toBe(
      false,
    );
    expect(
      new SmtpError({ kind: "rejected", message: "m", reply: reply(550), retryable: true })
        .retryable,
    ).toBe(true);
  });

  it("instanceof holds for any object with the global brand, as from another copy of the package", () => {
    expect(new SmtpError({ kind: "protocol", message: "m" })).toBeInstanceOf(SmtpError);
    const fromAnotherCopy: unknown = { [Symbol.for("@smtp/core/SmtpError")]: true };
    expect(fromAnotherCopy instanceof SmtpError).toBe(true);
    const branded = new SmtpError({ kind: "protocol", message: "m" }) as object;
    expect(Object.getOwnPropertySymbols(branded)).toContain(Symbol.for("@smtp/core/SmtpError"));
  });

  it("instanceof is false, without throwing, for other errors, null and primitives", () => {
    for (const value of [new Error("m"), {}, null, undefined, "SmtpError", 42, Symbol("s")]) {
      const v: unknown = value;
      expect(v instanceof SmtpError, String(value)).toBe(false);
    }
  });
});

describe("invalidInput", () => {
  it("is a non-retryable invalid-input error, detail invalid-input unless given", () => {
    const error = invalidInput("bad value");
    expect(error).toBeInstanceOf(SmtpError);
    expect(error.kind).toBe("invalid-input");
    expect(error.message).toBe("bad value");
    expect(error.detail).toBe("invalid-input");
    expect(error.retryable).toBe(false);
    expect(error.code).toBeUndefined();
    expect("cause" in error).toBe(false);
    expect(invalidInput("bad address", "bad-address").detail).toBe("bad-address");
  });

  it("keeps the cause it is given", () => {
    const cause = new TypeError("underlying");
    const error = invalidInput("bad value", "unknown-key", cause);
    expect(error.cause).toBe(cause);
    expect(error.detail).toBe("unknown-key");
  });
});
