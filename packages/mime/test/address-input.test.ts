import { describe, expect, it } from "vitest";
import { toMailboxes } from "../src/address.ts";
import { refusal } from "../src/errors.test-util.ts";
import { createMessage, type MessageInput, toBytes } from "../src/index.ts";
import { fixedOptions } from "./support.ts";

// Address inputs (strings, { name, address } objects, arrays) to mailboxes: which are
// taken, what each refusal says, and how a local part is written back.

function build(input: Partial<MessageInput>, smtpUtf8 = false) {
  return createMessage(
    { from: "a@example.test", to: "b@example.test", ...input } as MessageInput,
    fixedOptions({ smtpUtf8 }),
  );
}

function refused(input: Record<string, unknown>, smtpUtf8 = false): string {
  return refusal(() => build(input as Partial<MessageInput>, smtpUtf8)).message;
}

describe("address inputs: { name, address } objects", () => {
  it("an object without a name has the empty name", () => {
    expect(toMailboxes("from", { address: "a@b.example" }, false)).toEqual([
      { name: "", local: "a", domain: { unicode: "b.example", ascii: "b.example" } },
    ]);
  });

  it("its address is trimmed of Unicode whitespace before parsing", () => {
    const [mailbox] = toMailboxes("to", { name: "N", address: "\u00a0 a@b.example\u3000" }, false);
    expect(mailbox).toEqual({
      name: "N",
      local: "a",
      domain: { unicode: "b.example", ascii: "b.example" },
    });
  });

  it.each([
    [{ from: { address: 42 } }, "from.address: must be a string"],
    [{ from: { name: "N" } }, "from.address: must be a string"],
    [{ from: { name: 42, address: "a@b.example" } }, "from.name: must be a string"],
    [{ from: { name: null, address: "a@b.example" } }, "from.name: must be a string"],
    [{ from: { address: "nobody" } }, 'from.address: no "@" in the address'],
    [{ from: { address: "a@b@c.example" } }, 'from.address: more than one unquoted "@"'],
    [
      { to: [{ address: `${"x".repeat(65)}@b.example` }] },
      "to[0].address: local part longer than 64 octets",
    ],
  ])("%j is refused: %s", (input, message) => {
    expect(refused(input)).toBe(message);
  });
});

describe("address inputs: other shapes", () => {
  it.each([
    [{ from: null }, "from: must be an address string or { name, address }"],
    [{ from: 42 }, "from: must be an address string or { name, address }"],
    [{ to: [["x@example.test"]] }, "to[0]: nested arrays are refused"],
    [{ cc: ["x@example.test", ["y@example.test"]] }, "cc[1]: nested arrays are refused"],
    [{ from: "a@b.example, c@d.example" }, "from: expected one address, found 2"],
    [{ from: "Nobody:;" }, "from: expected one address, found 0"],
    [{ sender: "" }, "sender: expected one address, found 0"],
  ])("%j is refused: %s", (input, message) => {
    expect(refused(input)).toBe(message);
  });
});

describe("address inputs: local parts", () => {
  it("takes a local part of 64 octets and refuses 65, counted in UTF-8", () => {
    const local64 = "x".repeat(64);
    expect(build({ to: `${local64}@b.example` }).envelope.to[0]?.local).toBe(local64);
    expect(refused({ to: `x${local64}@b.example` })).toBe("to: local part longer than 64 octets");
    // 32 two-octet characters are 64 octets; 33 are 66 (though only 33 UTF-16 units).
    const utf8Local = "é".repeat(32);
    expect(build({ to: `${utf8Local}@b.example` }, true).envelope.to[0]?.local).toBe(utf8Local);
    expect(refused({ to: `é${utf8Local}@b.example` }, true)).toBe(
      "to: local part longer than 64 octets",
    );
  });

  it.each([
    ['"a\u0001b"@b.example', "to: control character in the local part"],
    ['"a\u001fb"@b.example', "to: control character in the local part"],
    ['"a\\\u007fb"@b.example', "to: control character in the local part"],
    ["jörg@b.example", "to: a non-ASCII local part needs SMTPUTF8 (smtpUtf8: true)"],
  ])("%j is refused: %s", (to, message) => {
    expect(refused({ to })).toBe(message);
  });

  it('takes a quoted local part with a space and "~", not with a tab (RFC 5321 qtextSMTP)', () => {
    expect(build({ to: '" a b~"@b.example' }).envelope.to[0]?.local).toBe(" a b~");
    expect(refused({ to: '"a\tb"@b.example' })).toBe("to: control character in the local part");
  });

  it.each([
    ["a.b@x.example", "a.b@x.example"],
    ['"a.b"@x.example', "a.b@x.example"],
    ['"a"@x.example', "a@x.example"],
    ['""@x.example', '""@x.example'],
    ['".a"@x.example', '".a"@x.example'],
    ['"a."@x.example', '"a."@x.example'],
    ['"a..b"@x.example', '"a..b"@x.example'],
    ['"."@x.example', '"."@x.example'],
    ['"a b"@x.example', '"a b"@x.example'],
    ['"q\\"u\\\\x"@x.example', '"q\\"u\\\\x"@x.example'],
  ])("%s is written %s in the envelope and the header", async (to, written) => {
    const message = build({ to, text: "x" });
    expect(message.envelope.to[0]?.address).toBe(written);
    const bytes = new TextDecoder().decode(await toBytes(message));
    expect(bytes).toContain(`\r\nTo: ${written}\r\n`);
  });

  it("an envelope address may not start with '-' (the message names the rule)", () => {
    expect(refused({ to: "-x@example.test" })).toBe(
      'recipients[0]: envelope address may not start with "-"',
    );
    expect(build({ to: "x-@example.test" }).envelope.to[0]?.address).toBe("x-@example.test");
  });
});
