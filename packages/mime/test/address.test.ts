import fc from "fast-check";
import addressparser from "nodemailer/lib/addressparser/index.js";
import { addressParser as postalAddressParser } from "postal-mime";
import { describe, expect, it } from "vitest";
import {
  createMessage,
  MAX_ADDRESS_INPUT,
  MimeError,
  parseAddressList,
  toBytes,
} from "../src/index.ts";
import { parseWithMailparser, parseWithPostalMime } from "./parse-back.ts";
import { fixedOptions } from "./support.ts";

function outcome(run: () => unknown): "ok" | "mime-error" {
  try {
    run();
    return "ok";
  } catch (error) {
    // Anything but a MimeError (a RangeError from recursion, say) fails the test.
    if (error instanceof MimeError) return "mime-error";
    throw error;
  }
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf("@") + 1).toLowerCase();
}

describe("address parsing", () => {
  it.each([
    ["a@b.example", [{ name: "", local: "a", domain: "b.example" }]],
    ["Name <a@b.example>", [{ name: "Name", local: "a", domain: "b.example" }]],
    ['"Doe, John" <jd@b.example>', [{ name: "Doe, John", local: "jd", domain: "b.example" }]],
    [
      "John Q. Public <jqp@b.example>",
      [{ name: "John Q. Public", local: "jqp", domain: "b.example" }],
    ],
    [
      "a@b.example, Bee <b@c.example>,,",
      [
        { name: "", local: "a", domain: "b.example" },
        { name: "Bee", local: "b", domain: "c.example" },
      ],
    ],
    [
      "Team: a@b.example, c@d.example;, e@f.example",
      [
        { name: "", local: "a", domain: "b.example" },
        { name: "", local: "c", domain: "d.example" },
        { name: "", local: "e", domain: "f.example" },
      ],
    ],
    ["undisclosed-recipients:;", []],
    ['"a@evil x"@good.example', [{ name: "", local: "a@evil x", domain: "good.example" }]],
    ["a(comment@evil.example)@good.example", [{ name: "", local: "a", domain: "good.example" }]],
    ['"q\\"uote"@x.example', [{ name: "", local: 'q"uote', domain: "x.example" }]],
    [
      "Jan KOVAČIČ <jan@bücher.example>",
      [{ name: "Jan KOVAČIČ", local: "jan", domain: "bücher.example" }],
    ],
    ["a@[192.0.2.1]", [{ name: "", local: "a", domain: "[192.0.2.1]" }]],
  ])("parses %s", (text, expected) => {
    expect(parseAddressList("to", text)).toEqual(expected);
  });

  it.each([
    ["nested comments", "(".repeat(100_000) + ")".repeat(100_000) + "a@b.example"],
    ["unterminated nested comments", `a@b.example ${"(".repeat(100_000)}`],
    ["nested quotes", '"'.repeat(100_001)],
    ["nested groups", "g:".repeat(100_000) + "a@b.example" + ";".repeat(100_000)],
    ["nested angle brackets", "<".repeat(100_000) + "a@b.example" + ">".repeat(100_000)],
    ["escaped quotes", `"${'\\"'.repeat(100_000)}"@b.example`],
    ["many commas", ",".repeat(500_000)],
    ["many @", "@".repeat(500_000)],
    ["many brackets", "[".repeat(500_000)],
  ])(
    "R4 100 000 levels of %s end in a result or a MimeError, never a RangeError",
    (_label, text) => {
      const result = outcome(() => parseAddressList("to", text));
      expect(["ok", "mime-error"]).toContain(result);
      // And through the public builder too.
      const built = outcome(() => createMessage({ from: "a@b.example", to: text }, fixedOptions()));
      expect(["ok", "mime-error"]).toContain(built);
    },
  );

  it("R4 nested comments are skipped, the address survives", () => {
    const text = `${"(".repeat(100_000)}x${")".repeat(100_000)}a@b.example`;
    expect(parseAddressList("to", text)).toEqual([{ name: "", local: "a", domain: "b.example" }]);
  });

  it("R4 input over the cap is a MimeError", () => {
    const text = `${"a".repeat(MAX_ADDRESS_INPUT)}@b.example`;
    expect(() => parseAddressList("to", text)).toThrow(MimeError);
    expect(() => createMessage({ from: "a@b.example", to: text }, fixedOptions())).toThrow(
      /longer than/,
    );
  });

  it("R4 a list of 20 000 addresses parses", () => {
    const text = Array.from({ length: 20_000 }, (_, i) => `user${i}@example.test`).join(", ");
    expect(parseAddressList("to", text)).toHaveLength(20_000);
  });

  it('R5 "a@evil x"@good goes to good', async () => {
    const message = createMessage(
      { from: "a@example.test", to: '"a@evil x"@good.example', text: "x" },
      fixedOptions(),
    );
    expect(message.envelope.to).toEqual([
      { local: "a@evil x", domain: "good.example", address: '"a@evil x"@good.example' },
    ]);
  });

  const quotedLocals = [
    '"a@evil x"@good.example',
    '"a@evil.example"@good.example',
    '"x y"@good.example',
    '"a(b)c"@good.example',
    '"a\\"@evil.example"@good.example',
    "a(c@evil.example)@good.example",
    '"@"@good.example',
    '"a,b:c;d<e>f"@good.example',
    'Evil <"x@evil.example"@good.example>',
  ];

  it.each(quotedLocals)(
    "R5 %s: RCPT TO domain equals the independent parsers' domain",
    async (text) => {
      const message = createMessage(
        { from: "a@example.test", to: text, text: "x" },
        fixedOptions(),
      );
      const [rcpt] = message.envelope.to;
      expect(rcpt!.domain).toBe("good.example");
      // nodemailer's RFC 5322 address parser on the raw input…
      const independent = addressparser(text, { flatten: true }) as { address: string }[];
      expect(independent.map((a) => domainOf(a.address))).toEqual([rcpt!.domain]);
      // …and both message parsers on the To: header we wrote.
      const bytes = await toBytes(message);
      for (const parsed of [await parseWithMailparser(bytes), await parseWithPostalMime(bytes)]) {
        expect(parsed.to.map((a) => domainOf(a.address))).toEqual([rcpt!.domain]);
      }
    },
  );

  it("R5 property: a quoted local part of any printable characters never changes the domain", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 30, unit: fc.constantFrom(...' @<>(),:;."\\[]abcx') }),
        (local) => {
          const quoted = `"${local.replace(/["\\]/g, "\\$&")}"@good.example`;
          const message = createMessage({ from: "a@example.test", to: quoted }, fixedOptions());
          const [rcpt] = message.envelope.to;
          expect(rcpt!.local).toBe(local);
          expect(rcpt!.domain).toBe("good.example");
          expect(domainOf(rcpt!.address)).toBe("good.example");
          const fromPostal = postalAddressParser(rcpt!.address) as { address: string }[];
          expect(fromPostal.map((a) => domainOf(a.address))).toEqual(["good.example"]);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("envelope", () => {
  it("is to + cc + bcc, deduplicated, from the sender when given", () => {
    const message = createMessage(
      {
        from: "Alice <alice@example.test>",
        sender: "bounces@example.test",
        to: ["bob@example.test", "carol@EXAMPLE.test"],
        cc: "bob@example.test",
        bcc: ["dave@example.test", "carol@example.test"],
      },
      fixedOptions(),
    );
    expect(message.envelope.from?.address).toBe("bounces@example.test");
    expect(message.envelope.to.map((a) => a.address)).toEqual([
      "bob@example.test",
      "carol@EXAMPLE.test",
      "dave@example.test",
    ]);
  });

  it("explicit envelope overrides, null sender allowed", () => {
    const message = createMessage(
      {
        from: "alice@example.test",
        to: "bob@example.test",
        envelope: { from: null, to: ["x@y.example"] },
      },
      fixedOptions(),
    );
    expect(message.envelope).toEqual({
      from: null,
      to: [{ local: "x", domain: "y.example", address: "x@y.example" }],
    });
  });

  it("IDN domains are punycode, except in SMTPUTF8 mode", () => {
    const input = { from: "jörg@bücher.example", to: "info@münchen.example" };
    expect(() => createMessage(input, fixedOptions())).toThrow(MimeError);
    const ascii = createMessage(
      { from: "joerg@bücher.example", to: "info@münchen.example" },
      fixedOptions(),
    );
    expect(ascii.envelope.from?.address).toBe("joerg@xn--bcher-kva.example");
    expect(ascii.envelope.to[0]?.domain).toBe("xn--mnchen-3ya.example");
    expect(ascii.smtpUtf8).toBe(false);
    const utf8 = createMessage(input, fixedOptions({ smtpUtf8: true }));
    expect(utf8.envelope.from?.address).toBe("jörg@bücher.example");
    expect(utf8.smtpUtf8).toBe(true);
    const asciiInUtf8Mode = createMessage(
      { from: "a@b.example", to: "c@d.example" },
      fixedOptions({ smtpUtf8: true }),
    );
    expect(asciiInUtf8Mode.smtpUtf8).toBe(false);
  });

  it.each([
    ["x@good\uFF0Eevil.example", "good.evil.example", "good.evil.example"],
    ["x@Bücher.Example", "xn--bcher-kva.example", "bücher.example"],
    ["x@ＡＢＣ.example", "abc.example", "abc.example"],
  ])("%s routes to the same domain in ASCII and SMTPUTF8 mode", async (to, ascii, unicode) => {
    const input = { from: "a@b.example", to, text: "x" };
    const plain = createMessage(input, fixedOptions());
    const utf8 = createMessage(input, fixedOptions({ smtpUtf8: true }));
    expect(plain.envelope.to[0]?.domain).toBe(ascii);
    expect(utf8.envelope.to[0]?.domain).toBe(unicode);
    expect(new URL(`http://${unicode}/`).hostname).toBe(ascii);
    const header = new TextDecoder().decode(await toBytes(utf8)).match(/^To: .*$/m)?.[0];
    expect(header).toBe(`To: x@${unicode}`);
  });

  it.each([
    "[IPv6:::1]",
    "[IPv6:2001:db8::1]",
    "[IPv6:1:2:3:4:5:6:7:8]",
    "[IPv6:::ffff:192.0.2.1]",
    "[192.0.2.255]",
  ])("valid address literal %s is accepted as written", (literal) => {
    const message = createMessage({ from: "a@b.example", to: `x@${literal}` }, fixedOptions());
    expect(message.envelope.to[0]?.domain).toBe(literal);
  });
});

describe("display names on the wire", () => {
  const headerLines = (bytes: Uint8Array): string[] => {
    const text = Buffer.from(bytes).toString("latin1");
    return text.slice(0, text.indexOf("\r\n\r\n")).split("\r\n");
  };

  it("a long quoted name folds at its spaces, every header line within 78 columns", async () => {
    const name = `Doe, John${" John".repeat(50)}`;
    const message = createMessage(
      { from: { name, address: "john@example.test" }, to: "b@example.test", text: "x" },
      fixedOptions(),
    );
    const bytes = await toBytes(message);
    const lines = headerLines(bytes);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(78);
    const from = lines.findIndex((l) => l.startsWith("From: "));
    expect(lines[from]).toMatch(/^From: "Doe, John John/);
    expect(lines[from + 1]).toMatch(/^ John/);
    for (const parsed of [await parseWithMailparser(bytes), await parseWithPostalMime(bytes)]) {
      expect(parsed.from).toEqual([{ name, address: "john@example.test" }]);
    }
  });

  it("a short quoted name that does not fit moves to the next line whole", async () => {
    const bytes = await toBytes(
      createMessage(
        {
          from: "a@example.test",
          to: ["x".repeat(50) + "@example.test", { name: "Doe, Jane", address: "j@example.test" }],
        },
        fixedOptions(),
      ),
    );
    const lines = headerLines(bytes);
    expect(lines).toContain(' "Doe, Jane" <j@example.test>');
  });

  it.each([
    ["600 double quotes", '"'.repeat(600)],
    ["500 backslashes", "\\".repeat(500)],
    ["quotes and spaces", 'a " b \\ '.repeat(120).trim()],
  ])("a heavily escaped name (%s) is accepted and round-trips", async (_label, name) => {
    const message = createMessage(
      { from: { name, address: "a@example.test" }, to: "b@example.test", text: "x" },
      fixedOptions(),
    );
    const bytes = await toBytes(message);
    for (const line of headerLines(bytes)) expect(line.length).toBeLessThanOrEqual(998);
    for (const parsed of [await parseWithMailparser(bytes), await parseWithPostalMime(bytes)]) {
      expect(parsed.from).toEqual([{ name, address: "a@example.test" }]);
    }
  });
});
