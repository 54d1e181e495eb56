import { describe, expect, it } from "vitest";
import { refusal } from "../src/errors.test-util.ts";
import { createMessage, type MessageInput } from "../src/index.ts";
import { fixedOptions } from "./support.ts";

// The envelope override's shape, the null sender, and which recipients count as the same.

const base: MessageInput = { from: "a@example.test", to: "b@example.test", text: "x" };

describe("envelope override", () => {
  it.each([
    ["a string", "x@example.test"],
    ["null", null],
    ["a number", 42],
  ])("%s is refused with the expected shape", (_label, envelope) => {
    const error = refusal(() =>
      createMessage({ ...base, envelope } as unknown as MessageInput, fixedOptions()),
    );
    expect(error.field).toBe("envelope");
    expect(error.message).toBe("envelope: must be { from, to }");
  });

  it.each([
    ["null", null],
    ["the empty string", ""],
  ])("from: %s is the null sender", (_label, from) => {
    const message = createMessage({ ...base, envelope: { from } }, fixedOptions());
    expect(message.envelope).toEqual({
      from: null,
      to: [{ local: "b", domain: "example.test", address: "b@example.test" }],
    });
  });

  it("from: a blank string is not the null sender", () => {
    const error = refusal(() =>
      createMessage({ ...base, envelope: { from: " " } }, fixedOptions()),
    );
    expect(error.message).toBe("envelope.from: expected one address, found 0");
  });
});

describe("envelope recipients", () => {
  it("the same address with its domain in another case is one recipient", () => {
    const message = createMessage(
      { ...base, to: ["x@Example.Test", "x@example.test", "X@example.test"] },
      fixedOptions(),
    );
    expect(message.envelope.to.map((a) => a.address)).toEqual(["x@Example.Test", "X@example.test"]);
  });

  it("ß and ss name different domains (SMTPUTF8), so both recipients stay", () => {
    const message = createMessage(
      { ...base, to: ["x@straße.example", "x@strasse.example", "x@STRASSE.example"] },
      fixedOptions({ smtpUtf8: true }),
    );
    expect(message.envelope.to.map((a) => a.address)).toEqual([
      "x@straße.example",
      "x@strasse.example",
    ]);
  });
});

describe("SMTPUTF8 is needed for the envelope alone", () => {
  // Header fields all ASCII: only the envelope's addresses decide.
  const smtpUtf8 = (envelope: NonNullable<MessageInput["envelope"]>) =>
    createMessage({ ...base, envelope }, fixedOptions({ smtpUtf8: true })).smtpUtf8;

  it("a non-ASCII envelope sender needs it, ASCII recipients or not", () => {
    expect(smtpUtf8({ from: "üser@example.test" })).toBe(true);
    expect(smtpUtf8({ from: "üser@example.test", to: "b@example.test" })).toBe(true);
  });

  it("one non-ASCII recipient needs it, first or last", () => {
    expect(smtpUtf8({ to: "üser@example.test" })).toBe(true);
    expect(smtpUtf8({ to: ["b@example.test", "üser@example.test"] })).toBe(true);
    expect(smtpUtf8({ to: ["üser@example.test", "b@example.test"] })).toBe(true);
  });

  it("an all-ASCII envelope, or the null sender with ASCII recipients, does not", () => {
    expect(smtpUtf8({ from: "s@example.test", to: ["b@example.test", "c@example.test"] })).toBe(
      false,
    );
    expect(smtpUtf8({ from: null, to: "b@example.test" })).toBe(false);
  });

  it("without the option a non-ASCII envelope address is refused", () => {
    const error = refusal(() =>
      createMessage({ ...base, envelope: { from: "üser@example.test" } }, fixedOptions()),
    );
    expect(error.field).toBe("envelope.from");
  });
});
