import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Command,
  commandName,
  describeCommand,
  encodeCommand,
  type MailParameters,
  type RcptParameters,
  REDACTED,
} from "./command.ts";
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

  const refused = (c: Command) => {
    const error = refusal(c);
    return { kind: error.kind, message: error.message, detail: error.detail };
  };
  const invalid = (message: string, detail = "invalid-input") => ({
    kind: "invalid-input",
    message,
    detail,
  });
  const mail = (params: MailParameters, from = "a@example.org"): Command => ({
    name: "MAIL",
    from,
    params,
  });
  const rcpt = (params: RcptParameters, to = "b@example.net"): Command => ({
    name: "RCPT",
    to,
    params,
  });

  it("names the argument an address refusal is about", () => {
    const dash = (what: string) => invalid(`${what} starts with "-"`, "bad-address");
    expect(refused(mail({}, "-x@example.org"))).toEqual(dash("sender"));
    expect(refused(rcpt({}, "-x@example.net"))).toEqual(dash("recipient"));
    expect(refused(rcpt({ orcpt: "-x@example.net" }))).toEqual(dash("ORCPT"));
    expect(refused(rcpt({ orcpt: "" }))).toEqual(invalid("ORCPT is empty", "bad-address"));
  });

  it("non-ASCII sender and ORCPT only with SMTPUTF8", () => {
    expect(refused(mail({}, "ü@example.org"))).toEqual(
      invalid("sender is not ASCII: set smtpUtf8", "needs-smtputf8"),
    );
    expect(refused(rcpt({ orcpt: "ü@example.net" }))).toEqual(
      invalid("ORCPT is not ASCII: set smtpUtf8", "needs-smtputf8"),
    );
    expect(line(mail({ smtpUtf8: true }, "ü@example.org"))).toBe(
      "MAIL FROM:<ü@example.org> SMTPUTF8\r\n",
    );
  });

  it("MAIL parameters: every BODY and RET value, and what a refusal says", () => {
    for (const body of ["7BIT", "8BITMIME", "BINARYMIME"] as const) {
      expect(line(mail({ body }))).toBe(`MAIL FROM:<a@example.org> BODY=${body}\r\n`);
    }
    for (const ret of ["FULL", "HDRS"] as const) {
      expect(line(mail({ ret }))).toBe(`MAIL FROM:<a@example.org> RET=${ret}\r\n`);
    }
    expect(line(mail({ requireTls: true }))).toBe("MAIL FROM:<a@example.org> REQUIRETLS\r\n");
    expect(refused(mail({ size: -1 }))).toEqual(invalid("SIZE is not a non-negative integer"));
    expect(refused(mail({ body: "9BIT" as "7BIT" }))).toEqual(invalid("BODY is not a known value"));
    expect(refused(mail({ ret: "ALL" as "FULL" }))).toEqual(invalid("RET is not FULL or HDRS"));
  });

  it("ENVID: 1 to 100 characters once encoded as xtext", () => {
    const tooLong = invalid("ENVID must be 1 to 100 characters");
    expect(line(mail({ envid: "x" }))).toBe("MAIL FROM:<a@example.org> ENVID=x\r\n");
    expect(line(mail({ envid: "x".repeat(100) }))).toContain(` ENVID=${"x".repeat(100)}\r\n`);
    expect(refused(mail({ envid: "x".repeat(101) }))).toEqual(tooLong);
    // "+" becomes "+2B": 33 of them and one "x" make 100 characters, 34 make 102.
    expect(line(mail({ envid: `x${"+".repeat(33)}` }))).toContain(
      ` ENVID=x${"+2B".repeat(33)}\r\n`,
    );
    expect(refused(mail({ envid: "+".repeat(34) }))).toEqual(tooLong);
    expect(refused(mail({ envid: "" }))).toEqual(tooLong);
  });

  it("NOTIFY: NEVER or known values only, each once", () => {
    const message = "NOTIFY must be NEVER or a non-empty list of SUCCESS, FAILURE, DELAY";
    expect(refused(rcpt({ notify: [] }))).toEqual(invalid(message));
    expect(refused(rcpt({ notify: ["SUCCESS", "BOGUS" as "DELAY"] }))).toEqual(invalid(message));
    expect(refused(rcpt({ notify: ["NEVER" as "DELAY"] }))).toEqual(invalid(message));
    expect(line(rcpt({ notify: ["DELAY", "FAILURE", "DELAY"] }))).toBe(
      "RCPT TO:<b@example.net> NOTIFY=DELAY,FAILURE\r\n",
    );
  });

  it("EHLO: a line break or a bad name is refused with its own detail", () => {
    expect(refused({ name: "EHLO", domain: "a.example\r\nMAIL FROM:<x>" })).toEqual(
      invalid("the EHLO name contains CR, LF or NUL", "line-break"),
    );
    expect(refused({ name: "HELO", domain: "bad name" })).toEqual(
      invalid("the EHLO name is not a domain or an address literal", "bad-ehlo-name"),
    );
  });

  it("AUTH: a mechanism name is 1 to 20 of A-Z, 0-9, '-' and '_'", () => {
    const notMechanism = invalid("not a SASL mechanism name");
    expect(line({ name: "AUTH", mechanism: "A".repeat(20) })).toBe(`AUTH ${"A".repeat(20)}\r\n`);
    expect(line({ name: "AUTH", mechanism: "SCRAM-SHA-256_X9" })).toBe("AUTH SCRAM-SHA-256_X9\r\n");
    for (const mechanism of ["A".repeat(21), "", "x PLAIN", "plain", "PLAIN x"]) {
      expect(refused({ name: "AUTH", mechanism }), mechanism).toEqual(notMechanism);
    }
  });

  it("says which SASL text or BDAT size is wrong", () => {
    expect(refused({ name: "AUTH", mechanism: "PLAIN", initialResponse: "a b" })).toEqual(
      invalid("the initial response is not base64"),
    );
    expect(refused({ name: "AUTH-RESPONSE", response: "a b" })).toEqual(
      invalid("the SASL response is not base64"),
    );
    expect(refused({ name: "BDAT", size: 1.5, last: false })).toEqual(
      invalid("BDAT size is not a non-negative integer"),
    );
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
