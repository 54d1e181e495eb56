import { describe, expect, it } from "vitest";
import { createMessage, type MessageInput } from "../src/index.ts";
import { fixedOptions, refusal } from "./support.ts";

const crlf = (lines: string[]) => `${lines.join("\r\n")}\r\n\r\nbody\r\n`;
const recipients = (input: MessageInput, smtpUtf8 = false) =>
  createMessage(input, fixedOptions({ smtpUtf8 })).envelope.to.map((a) => a.address);

describe("a raw message's envelope from its header fields", () => {
  it("a folded line joins the field above it, folded with a space or a TAB", () => {
    const raw = crlf([
      "From: a@example.test",
      "To: b@example.test,",
      "\tc@example.test,",
      " d@example.test",
    ]);
    expect(recipients({ raw })).toEqual(["b@example.test", "c@example.test", "d@example.test"]);
  });

  it("a folded line with no field above it is skipped", () => {
    const raw = crlf([" stray@example.test", "From: a@example.test", "To: b@example.test"]);
    const message = createMessage({ raw }, fixedOptions());
    expect(message.envelope.from?.address).toBe("a@example.test");
    expect(message.envelope.to.map((a) => a.address)).toEqual(["b@example.test"]);
  });

  it("blanks between a field's name and its colon are allowed", () => {
    const raw = crlf(["From \t: a@example.test", "To : b@example.test"]);
    const message = createMessage({ raw }, fixedOptions());
    expect(message.envelope.from?.address).toBe("a@example.test");
    expect(message.envelope.to.map((a) => a.address)).toEqual(["b@example.test"]);
  });

  it("lines that are not `name: value` are skipped, with the folded lines under them", () => {
    const raw = crlf([
      "From: a@example.test",
      "To: b@example.test,",
      "Bccx",
      " c@example.test",
      "To x: y@example.test",
      " , d@example.test",
      ": z@example.test",
    ]);
    expect(recipients({ raw })).toEqual(["b@example.test", "c@example.test", "d@example.test"]);
  });

  it("an address field that is empty or blank gives no address", () => {
    const raw = crlf(["From: a@example.test", "To:", "Cc:  ", "Bcc: \u00a0", "To: b@example.test"]);
    expect(recipients({ raw }, true)).toEqual(["b@example.test"]);
  });

  it("DEL is ASCII: no SMTPUTF8 for it in a field, no 8BITMIME for it in the body", () => {
    const message = createMessage(
      { raw: "From: a@example.test\r\nTo: b@example.test\r\nX-A: a\u007fb\r\n\r\nbody\u007f\r\n" },
      fixedOptions(),
    );
    expect(message.eightBit).toBe(false);
    expect(message.smtpUtf8).toBe(false);
  });

  it("SMTPUTF8 is needed as soon as one envelope address is not ASCII", () => {
    const raw = crlf(["From: a@example.test", "To: b@example.test"]);
    const smtpUtf8 = (envelope: NonNullable<MessageInput["envelope"]>) =>
      createMessage({ raw, envelope }, fixedOptions({ smtpUtf8: true })).smtpUtf8;
    expect(smtpUtf8({ from: "üser@example.test" })).toBe(true);
    expect(smtpUtf8({ to: ["b@example.test", "üser@example.test"] })).toBe(true);
    expect(smtpUtf8({ to: ["üser@example.test", "b@example.test"] })).toBe(true);
    expect(smtpUtf8({ from: null, to: ["b@example.test", "c@example.test"] })).toBe(false);
  });

  it("an 8-bit header field without SMTPUTF8 is refused with the field named", () => {
    expect(
      refusal(() =>
        createMessage({ raw: crlf(["From: a@example.test", "Subject: ü"]) }, fixedOptions()),
      ),
    ).toBe("raw: its header section has 8-bit octets, which need SMTPUTF8");
  });
});
