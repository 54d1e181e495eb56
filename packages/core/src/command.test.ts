import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Command, commandName, describeCommand, encodeCommand, REDACTED } from "./command.ts";
import { SmtpError } from "./errors.ts";

const dec = new TextDecoder();
const line = (c: Command): string => dec.decode(encodeCommand(c));

function refusal(c: Command): SmtpError {
  try {
    encodeCommand(c);
  } catch (error) {
    if (error instanceof SmtpError) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("encodeCommand", () => {
  it("encodes every command with its parameters", () => {
    expect(line({ name: "EHLO", domain: "client.example" })).toBe("EHLO client.example\r\n");
    expect(line({ name: "LHLO", domain: "[192.0.2.1]" })).toBe("LHLO [192.0.2.1]\r\n");
    expect(line({ name: "QUIT" })).toBe("QUIT\r\n");
    expect(
      line({
        name: "MAIL",
        from: "a@example.org",
        params: { size: 42, body: "8BITMIME", smtpUtf8: true, ret: "HDRS", envid: "id+1=2 x" },
      }),
    ).toBe(
      "MAIL FROM:<a@example.org> SIZE=42 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=id+2B1+3D2+20x\r\n",
    );
    expect(line({ name: "MAIL", from: "" })).toBe("MAIL FROM:<>\r\n");
    expect(
      line({
        name: "RCPT",
        to: "b@example.net",
        params: { notify: ["SUCCESS", "FAILURE"], orcpt: "b@example.net" },
      }),
    ).toBe("RCPT TO:<b@example.net> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b@example.net\r\n");
    expect(line({ name: "RCPT", to: "b@example.net", params: { notify: "NEVER" } })).toBe(
      "RCPT TO:<b@example.net> NOTIFY=NEVER\r\n",
    );
    expect(
      line({ name: "RCPT", to: "ü@例え.jp", params: { smtpUtf8: true, orcpt: "ü@例え.jp" } }),
    ).toBe("RCPT TO:<ü@例え.jp> ORCPT=utf-8;ü@例え.jp\r\n");
    expect(line({ name: "AUTH", mechanism: "PLAIN", initialResponse: "AHUAcA==" })).toBe(
      "AUTH PLAIN AHUAcA==\r\n",
    );
    expect(line({ name: "AUTH", mechanism: "PLAIN", initialResponse: "" })).toBe(
      "AUTH PLAIN =\r\n",
    );
    expect(line({ name: "AUTH", mechanism: "LOGIN" })).toBe("AUTH LOGIN\r\n");
    expect(line({ name: "AUTH-RESPONSE", response: "*" })).toBe("*\r\n");
    expect(line({ name: "BDAT", size: 10, last: false })).toBe("BDAT 10\r\n");
    expect(line({ name: "BDAT", size: 0, last: true })).toBe("BDAT 0 LAST\r\n");
  });

  it("R3 refuses addresses that look like options", () => {
    expect(refusal({ name: "MAIL", from: "-Xoption@example.test" }).kind).toBe("invalid-input");
    expect(refusal({ name: "RCPT", to: "-Xoption@example.test" }).kind).toBe("invalid-input");
  });

  it("refuses bad arguments", () => {
    const bad: Command[] = [
      { name: "EHLO", domain: "bad name" },
      { name: "EHLO", domain: "-x.example" },
      { name: "RCPT", to: "" },
      { name: "RCPT", to: "a b@example" },
      { name: "RCPT", to: "a>@example" },
      { name: "RCPT", to: "ü@example" },
      { name: "RCPT", to: "a@example", params: { notify: [] } },
      { name: "MAIL", from: "a@example", params: { size: -1 } },
      { name: "MAIL", from: "a@example", params: { size: 1.5 } },
      { name: "MAIL", from: "a@example", params: { envid: "" } },
      { name: "MAIL", from: "a@example", params: { envid: "x".repeat(101) } },
      { name: "MAIL", from: "a@example", params: { ret: "ALL" as "FULL" } },
      { name: "MAIL", from: "a@example", params: { body: "9BIT" as "8BITMIME" } },
      { name: "AUTH", mechanism: "pl ain" },
      { name: "AUTH", mechanism: "PLAIN", initialResponse: "not base64!" },
      { name: "AUTH-RESPONSE", response: "a b" },
      { name: "BDAT", size: -1, last: true },
    ];
    for (const c of bad) expect(refusal(c).kind).toBe("invalid-input");
  });

  it("ORCPT: utf-8 unitext only for a non-ASCII address, rfc822 xtext otherwise", () => {
    expect(
      line({ name: "RCPT", to: "a@b.example", params: { smtpUtf8: true, orcpt: "a+b@b.example" } }),
    ).toBe("RCPT TO:<a@b.example> ORCPT=rfc822;a+2Bb@b.example\r\n");
    expect(
      line({
        name: "RCPT",
        to: "ä@b.example",
        params: { smtpUtf8: true, orcpt: '"ä+=\\ x"@b.example' },
      }),
    ).toBe('RCPT TO:<ä@b.example> ORCPT=utf-8;"ä\\x{2B}\\x{3D}\\x{5C}\\x{20}x"@b.example\r\n');
  });

  it("accepts a quoted local part with a space", () => {
    expect(line({ name: "RCPT", to: '"a b"@example.net' })).toBe('RCPT TO:<"a b"@example.net>\r\n');
  });

  it("redacts SASL payloads by construction", () => {
    expect(describeCommand({ name: "AUTH", mechanism: "PLAIN", initialResponse: "AHUAcA==" })).toBe(
      `AUTH PLAIN ${REDACTED}`,
    );
    expect(describeCommand({ name: "AUTH", mechanism: "LOGIN" })).toBe("AUTH LOGIN");
    expect(describeCommand({ name: "AUTH-RESPONSE", response: "c2VjcmV0" })).toBe(REDACTED);
    expect(describeCommand({ name: "RCPT", to: "b@example.net" })).toBe("RCPT TO:<b@example.net>");
    expect(commandName({ name: "AUTH-RESPONSE", response: "c2VjcmV0" })).toBe("AUTH");
    expect(commandName({ name: "AUTH", mechanism: "PLAIN", initialResponse: "c2VjcmV0" })).toBe(
      "AUTH PLAIN",
    );
    expect(commandName({ name: "MAIL", from: "a@b" })).toBe("MAIL FROM");
    expect(commandName({ name: "RCPT", to: "a@b" })).toBe("RCPT TO");
    expect(commandName({ name: "BDAT", size: 1, last: true })).toBe("BDAT LAST");
    expect(commandName({ name: "BDAT", size: 1, last: false })).toBe("BDAT");
    expect(commandName({ name: "DATA" })).toBe("DATA");
  });

  it("R2 property: any argument either throws or yields exactly one line", () => {
    const text = fc.oneof(
      fc.string(),
      fc.string().map((s) => `${s}\r\n`),
      fc.constantFrom("a@b.example", "x\rRCPT TO:<y>", "a\0b", "ok.example", "\n"),
    );
    const commandArb: fc.Arbitrary<Command> = fc.oneof(
      text.map((domain) => ({ name: "EHLO" as const, domain })),
      fc.record({
        name: fc.constant("MAIL" as const),
        from: text,
        params: fc.record({ envid: text }),
      }),
      fc.record({
        name: fc.constant("RCPT" as const),
        to: text,
        params: fc.record({ orcpt: text }),
      }),
      fc.record({ name: fc.constant("AUTH" as const), mechanism: text, initialResponse: text }),
      text.map((response) => ({ name: "AUTH-RESPONSE" as const, response })),
    );
    fc.assert(
      fc.property(commandArb, (c) => {
        let bytes: Uint8Array;
        try {
          bytes = encodeCommand(c);
        } catch (error) {
          expect(error).toBeInstanceOf(SmtpError);
          expect((error as SmtpError).kind).toBe("invalid-input");
          return;
        }
        const s = dec.decode(bytes);
        expect(s.endsWith("\r\n")).toBe(true);
        expect(s.slice(0, -2)).not.toMatch(/[\r\n\0]/);
      }),
    );
  });
});
