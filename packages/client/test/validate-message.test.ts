import { SmtpError, validateMessage } from "@smtp/client";
import { describe, expect, it } from "vitest";

describe("validateMessage", () => {
  it("returns the Message-ID and the envelope send would use, sending nothing", () => {
    const checked = validateMessage({
      from: "Me <me@example.test>",
      to: "a@example.test",
      cc: ["b@bücher.example"],
      bcc: "c@example.test",
      messageId: "x@example.test",
    });
    expect(checked).toEqual({
      messageId: "<x@example.test>",
      envelope: {
        from: "me@example.test",
        to: ["a@example.test", "b@xn--bcher-kva.example", "c@example.test"],
      },
    });
    expect(validateMessage({ from: "me@example.test", to: "a@example.test" }).messageId).toMatch(
      /^<[^<>@]+@example\.test>$/,
    );
  });

  it("uses SMTPUTF8 only when an address needs it, and keeps the null sender", () => {
    expect(
      validateMessage({ from: "me@example.test", to: "jörg@example.test" }).envelope.to,
    ).toEqual(["jörg@example.test"]);
    expect(
      validateMessage({ from: "me@example.test", to: "a@example.test", envelope: { from: null } })
        .envelope.from,
    ).toBe("");
  });

  it.each([
    [{ from: "me@example.test", to: "not an address" }, /to/],
    [{ from: "me@example.test", subject: "no one" }, /no recipient/],
    [{ from: "me@example.test", to: "a@example.test", subject: "a\r\nb" }, /subject/],
    [{ from: "me@example.test", to: "a@example.test", attachment: [] }, /attachment/],
  ])("refuses what send refuses (%#)", (message, pattern) => {
    let error: unknown;
    try {
      validateMessage(message as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SmtpError);
    expect((error as SmtpError).kind).toBe("invalid-input");
    expect((error as SmtpError).message).toMatch(pattern);
  });
});
