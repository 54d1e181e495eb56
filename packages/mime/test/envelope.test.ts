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
