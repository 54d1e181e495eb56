import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createMessage,
  type MessageInput,
  MimeError,
  parseAddressList,
  toBytes,
} from "../src/index.ts";
import { fixedOptions } from "./support.ts";

const valid: MessageInput = {
  from: "Alice <alice@example.test>",
  to: ["bob@example.test"],
  subject: "Hello",
  text: "body",
};

/** Whether an address-list string holds at least one address (an empty list writes no header). */
function parsesToSomething(text: string): boolean {
  try {
    return parseAddressList("cc", text).length > 0;
  } catch {
    return false;
  }
}

function expectMimeError(input: unknown, field: string, options = fixedOptions()): MimeError {
  let caught: unknown;
  try {
    createMessage(input as MessageInput, options);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(MimeError);
  const error = caught as MimeError;
  expect(error.kind).toBe("invalid-input");
  expect(error.field).toBe(field);
  return error;
}

/** The field names of a header section (continuation lines, which start with a space, skipped). */
function fieldNames(head: string): string[] {
  return head
    .split("\r\n")
    .filter((line) => !line.startsWith(" "))
    .map((line) => line.slice(0, line.indexOf(":")));
}

/** No line over 998 octets, no bare CR or LF. */
function expectWireSafe(text: string): void {
  for (const line of text.split("\r\n")) expect(line.length).toBeLessThanOrEqual(998);
  expect(text).not.toMatch(/\r(?!\n)|(?<!\r)\n/);
}

// Every place a string reaches a header, with the field name the error must carry.
const headerFields: [string, (bad: string) => Partial<MessageInput>, string][] = [
  ["from (string)", (bad) => ({ from: `Al${bad}ice <alice@example.test>` }), "from"],
  ["from.name", (bad) => ({ from: { name: `A${bad}`, address: "a@example.test" } }), "from.name"],
  ["from.address", (bad) => ({ from: { address: `a${bad}@example.test` } }), "from.address"],
  ["sender", (bad) => ({ sender: `s${bad}@example.test` }), "sender"],
  ["to[1]", (bad) => ({ to: ["ok@example.test", `x${bad}y@example.test`] }), "to[1]"],
  [
    "to[0].name",
    (bad) => ({ to: [{ name: `B${bad}ob`, address: "b@example.test" }] }),
    "to[0].name",
  ],
  ["cc", (bad) => ({ cc: `C <c@exam${bad}ple.test>` }), "cc"],
  ["bcc", (bad) => ({ bcc: [`b${bad}@example.test`] }), "bcc[0]"],
  ["replyTo", (bad) => ({ replyTo: `r@example.test${bad}` }), "replyTo"],
  ["subject", (bad) => ({ subject: `Hi${bad}Bcc: victim@example.test` }), "subject"],
  ["inReplyTo", (bad) => ({ inReplyTo: `<a${bad}@example.test>` }), "inReplyTo"],
  [
    "references",
    (bad) => ({ references: [`<a@example.test>`, `<b${bad}@example.test>`] }),
    "references[1]",
  ],
  ["messageId", (bad) => ({ messageId: `<id${bad}@example.test>` }), "messageId"],
  ["headers value", (bad) => ({ headers: { "X-Foo": `v${bad}X-Evil: 1` } }), "headers.X-Foo"],
  ["headers name", (bad) => ({ headers: { [`X-Fo${bad}o`]: "v" } }), `headers.X-Fo${"\u0000"}o`],
  [
    "attachments[0].filename",
    (bad) => ({ attachments: [{ filename: `a${bad}.txt`, content: "x" }] }),
    "attachments[0].filename",
  ],
  [
    "attachments[0].contentType",
    (bad) => ({ attachments: [{ contentType: `text/plain; charset=utf-8${bad}`, content: "x" }] }),
    "attachments[0].contentType",
  ],
  [
    "attachments[0].cid",
    (bad) => ({ attachments: [{ cid: `c${bad}id`, content: "x" }] }),
    "attachments[0].cid",
  ],
  ["envelope.from", (bad) => ({ envelope: { from: `e${bad}@example.test` } }), "envelope.from"],
  ["envelope.to", (bad) => ({ envelope: { to: [`e${bad}@example.test`] } }), "envelope.to[0]"],
];

describe("bad input is a MimeError before any byte", () => {
  for (const [label, make, field] of headerFields) {
    for (const [name, bad] of [
      ["CR", "\r"],
      ["LF", "\n"],
      ["NUL", "\u0000"],
    ] as const) {
      it(`R1 ${name} in ${label}`, () => {
        const expected = field.includes("\u0000") ? field.replace("\u0000", bad) : field;
        expectMimeError({ ...valid, ...make(bad) }, expected);
      });
    }
  }

  it.each([
    ["from", { from: "not an address" }, "from"],
    ["from missing", { from: undefined }, "from"],
    ["from with two addresses", { from: "a@example.test, b@example.test" }, "from"],
    ["to without domain", { to: ["bob@"] }, "to[0]"],
    ["to with two @", { to: "a@b@example.test" }, "to"],
    ["cc unterminated quote", { cc: '"abc@example.test' }, "cc"],
    ["replyTo unclosed angle", { replyTo: "R <r@example.test" }, "replyTo"],
    ["bcc nested array", { bcc: [["x@example.test"]] }, "bcc[0]"],
    ["to bad domain", { to: "a@exa mple.test" }, "to"],
    ["to empty label", { to: "a@example..test" }, "to"],
    ["to domain with slash", { to: "a@evil.example/x" }, "to"],
    ["sender as number", { sender: 42 }, "sender"],
    ["address literal", { to: "a@[999.1.2.3.4]" }, "to"],
    ["bare IPv4 (must be a [literal])", { to: "a@1.2.3.4" }, "to"],
    ["numeric top-level label", { to: ["a@host.123"] }, "to[0]"],
    ["label with leading and trailing hyphen", { to: "a@-x-.example" }, "to"],
    ["label ending in a hyphen", { cc: "a@x-.example" }, "cc"],
    ["malformed IPv6 literal", { to: "a@[IPv6:::::::::::::]" }, "to"],
    ["IPv6 literal with nine groups", { to: "a@[IPv6:1:2:3:4:5:6:7:8:9]" }, "to"],
    ["IPv6 literal with two ::", { to: "a@[IPv6:1::2::3]" }, "to"],
    ["IPv4 literal octet over 255", { to: "a@[256.1.1.1]" }, "to"],
    ["fullwidth digits and dots that map to an IPv4", { to: "x@１２７．０．０．１" }, "to"],
    ["fullwidth hyphen-edged label after mapping", { from: "x@－x.example" }, "from"],
  ])("invalid address: %s", (_label, patch, field) => {
    expectMimeError({ ...valid, ...patch }, field);
  });

  it.each([
    ["messageId without @", { messageId: "abc" }, "messageId"],
    ["messageId in brackets without @", { messageId: "<abc>" }, "messageId"],
    ["messageId with two @", { messageId: "a@b@c.example" }, "messageId"],
    ["messageId with empty left", { messageId: "@c.example" }, "messageId"],
    ["messageId with empty right", { messageId: "a@" }, "messageId"],
    ["messageId with a double dot", { messageId: "a..b@c.example" }, "messageId"],
    ["messageId with a quote", { messageId: 'a"b@c.example' }, "messageId"],
    ["messageId with a space", { messageId: "<a b@c.example>" }, "messageId"],
    ["messageId with a bad literal", { messageId: "a@[b[c]" }, "messageId"],
    ["inReplyTo without @", { inReplyTo: "<abc>" }, "inReplyTo"],
    ["references item without @", { references: ["<a@b.example>", "xyz"] }, "references[1]"],
    [
      "references string item with (",
      { references: "<a@b.example> <c(d@e.example>" },
      "references[1]",
    ],
    ["cid with a quote", { attachments: [{ cid: 'a"b@c', content: "x" }] }, "attachments[0].cid"],
    ["cid with a comma", { attachments: [{ cid: "a,b", content: "x" }] }, "attachments[0].cid"],
    [
      "cid with a trailing dot",
      { attachments: [{ cid: "a.@c", content: "x" }] },
      "attachments[0].cid",
    ],
  ])("invalid msg-id: %s", (_label, patch, field) => {
    expectMimeError({ ...valid, ...patch }, field);
  });

  it.each([
    ["<unique.1@host.example>", "<unique.1@host.example>"],
    ["a+b=c@[192.0.2.1]", "<a+b=c@[192.0.2.1]>"],
    ["  <x@y>  ", "<x@y>"],
  ])("valid msg-id %s is written as %s", (messageId, written) => {
    expect(createMessage({ ...valid, messageId }, fixedOptions()).messageId).toBe(written);
  });

  it("a bare cid (no @) is still accepted as a Content-ID", async () => {
    const message = createMessage(
      { ...valid, html: '<img src="cid:logo">', attachments: [{ cid: "logo", content: "x" }] },
      fixedOptions(),
    );
    expect(new TextDecoder().decode(await toBytes(message))).toContain("Content-ID: <logo>\r\n");
  });

  it("options.hostname must be a dot-atom host name", () => {
    expectMimeError(
      { ...valid, from: "a@[192.0.2.1]" },
      "options.hostname",
      fixedOptions({ hostname: "a..b" }),
    );
  });

  it("unknown priority", () => {
    const error = expectMimeError({ ...valid, priority: "urgent" }, "priority");
    expect(error.message).toContain("urgent");
  });

  it.each([
    "Content-Type",
    "content-transfer-encoding",
    "MIME-Version",
    "Content-Disposition",
    "Subject",
    "From",
    "Bcc",
  ])("extra header %s that would replace a structural or builder header", (name) => {
    expectMimeError({ ...valid, headers: { [name]: "x" } }, `headers.${name}`);
  });

  it("extra header list form is checked the same way", () => {
    expectMimeError(
      { ...valid, headers: [{ key: "MIME-Version", value: "2.0" }] },
      "headers.MIME-Version",
    );
  });

  it("X-Priority as an extra header together with priority", () => {
    expectMimeError(
      { ...valid, priority: "low", headers: { "X-Priority": "1" } },
      "headers.X-Priority",
    );
  });

  it.each(["X:Foo", "X Foo"])("header name with a colon or space: %s", (name) => {
    expectMimeError({ ...valid, headers: { [name]: "v" } }, `headers.${name}`);
  });

  it.each([
    ["from", { from: "-Xoption@example.test" }, "from"],
    ["to", { to: ["-Xoption@example.test"] }, "recipients[0]"],
    ["envelope.from", { envelope: { from: "-oQ@example.test" } }, "envelope.from"],
    ["envelope.to", { envelope: { to: "-X@example.test" } }, "envelope.to[0]"],
  ])("R3 envelope addresses starting with '-' are refused: %s", (_label, patch, field) => {
    expectMimeError({ ...valid, ...patch }, field);
  });

  it("non-ASCII local part without SMTPUTF8", () => {
    expectMimeError({ ...valid, to: "jörg@example.test" }, "to");
  });

  it.each([
    ["subject", { subject: "a\ud800b" }, "subject"],
    ["text", { text: "a\udc00" }, "text"],
    ["from.name", { from: { name: "\ud83d", address: "a@example.test" } }, "from.name"],
  ])("lone surrogate in %s", (_label, patch, field) => {
    expectMimeError({ ...valid, ...patch }, field);
  });

  it.each([
    ["missing content", { filename: "a" }, "content"],
    ["content as number", { content: 42 }, "content"],
    ["unknown disposition", { content: "x", disposition: "evil" }, "disposition"],
    ["media type without /", { content: "x", contentType: "notatype" }, "contentType"],
    ["multipart media type", { content: "x", contentType: "multipart/mixed" }, "contentType"],
    ["cid with a space", { content: "x", cid: "a b" }, "cid"],
  ])("attachment: %s", (_label, attachment, field) => {
    expectMimeError({ ...valid, attachments: [attachment] }, `attachments[0].${field}`);
  });

  it.each([
    ["now", valid, "options.now", { now: new Date(Number.NaN) }],
    ["randomBytes", valid, "options.randomBytes", { randomBytes: () => new Uint8Array(1) }],
    ["timeZoneOffset", valid, "options.timeZoneOffset", { timeZoneOffset: 1.5 }],
    ["date", { ...valid, date: new Date("nope") }, "date", {}],
  ])("options and date: %s", (_label, input, field, patch) => {
    expectMimeError(input, field, { ...fixedOptions(), ...patch });
  });

  it("R1 property: arbitrary strings in address strings, ids, cid and header names give a MimeError or exactly the intended fields", async () => {
    const nasty = fc.oneof(
      fc.string({ unit: "binary", maxLength: 30 }),
      fc.constantFrom("\r\nBcc: x@evil.test", "\nX-Evil: 1", "\r", "\u0000", "x\r\n y"),
    );
    // Each field plausible or absent; then one field (or none) replaced by an arbitrary string.
    const plausible = fc.option(fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,11}$/), {
      nil: undefined,
      freq: 3,
    });
    const keys = [
      "fromName",
      "toLocal",
      "cc",
      "replyTo",
      "sender",
      "messageId",
      "inReplyTo",
      "references",
      "cid",
      "headerName",
    ] as const;
    type Fields = Partial<Record<(typeof keys)[number], string>>;
    const fields = fc
      .tuple(
        fc.tuple(...keys.map(() => plausible)),
        fc.option(fc.constantFrom(...keys), { nil: undefined, freq: 5 }),
        nasty,
      )
      .map(([values, which, bad]) => {
        const f: Fields = {};
        keys.forEach((key, i) => {
          const value = key === which ? bad : values[i];
          if (value !== undefined)
            f[key] = key === "headerName" && key !== which ? `X-${value}` : value;
        });
        return f;
      });
    await fc.assert(
      fc.asyncProperty(fields, async (f) => {
        const input: MessageInput = {
          from:
            f.fromName === undefined ? "alice@example.test" : `${f.fromName} <alice@example.test>`,
          to: f.toLocal === undefined ? "bob@example.test" : `${f.toLocal}@example.test`,
          html: '<img src="cid:x">',
          ...(f.cc === undefined ? {} : { cc: `${f.cc}@example.test` }),
          ...(f.replyTo === undefined ? {} : { replyTo: `R <${f.replyTo}@example.test>` }),
          ...(f.sender === undefined ? {} : { sender: `s@${f.sender}` }),
          ...(f.messageId === undefined ? {} : { messageId: f.messageId }),
          ...(f.inReplyTo === undefined ? {} : { inReplyTo: f.inReplyTo }),
          ...(f.references === undefined ? {} : { references: f.references }),
          ...(f.headerName === undefined ? {} : { headers: { [f.headerName]: "v" } }),
          attachments: [{ content: "x", ...(f.cid === undefined ? {} : { cid: f.cid }) }],
        };
        let bytes: Uint8Array;
        try {
          bytes = await toBytes(createMessage(input, fixedOptions()));
        } catch (error) {
          expect(error).toBeInstanceOf(MimeError);
          return;
        }
        const text = Buffer.from(bytes).toString("latin1");
        const head = text.slice(0, text.indexOf("\r\n\r\n"));
        const names = fieldNames(head);
        const references = input.references !== undefined && /[^ \t]/.test(f.references ?? "");
        const expected = [
          "Date",
          "From",
          ...(input.sender !== undefined ? ["Sender"] : []),
          ...(input.replyTo !== undefined ? ["Reply-To"] : []),
          "To",
          ...(f.cc !== undefined && parsesToSomething(`${f.cc}@example.test`) ? ["Cc"] : []),
          "Message-ID",
          ...(input.inReplyTo !== undefined ? ["In-Reply-To"] : []),
          ...(references ? ["References"] : []),
          ...(f.headerName !== undefined ? [f.headerName] : []),
          "MIME-Version",
          "Content-Type",
        ];
        expect(names).toEqual(expected);
        expectWireSafe(text);
      }),
      { numRuns: 400 },
    );
  });

  it("R1 property: arbitrary strings in every header field give a MimeError or exactly the intended header fields", async () => {
    const stringOrNasty = fc.oneof(
      fc.string({ unit: "binary", maxLength: 40 }),
      fc.constantFrom("\r\nBcc: x@evil.test", "\nX-Evil: 1", "\r", "\u0000", "a\r\n b", " \t"),
    );
    await fc.assert(
      fc.asyncProperty(
        stringOrNasty,
        stringOrNasty,
        stringOrNasty,
        stringOrNasty,
        stringOrNasty,
        async (name, subject, filename, header, contentType) => {
          const input: MessageInput = {
            from: { name, address: "alice@example.test" },
            to: [{ name: subject, address: "bob@example.test" }],
            subject,
            text: "t",
            headers: { "X-Test": header },
            attachments: [{ filename, content: "x", contentType: `text/plain; x=${contentType}` }],
          };
          let bytes: Uint8Array;
          try {
            bytes = await toBytes(createMessage(input, fixedOptions()));
          } catch (error) {
            expect(error).toBeInstanceOf(MimeError);
            return;
          }
          const text = Buffer.from(bytes).toString("latin1");
          const head = text.slice(0, text.indexOf("\r\n\r\n"));
          expect(fieldNames(head)).toEqual([
            "Date",
            "From",
            "To",
            "Message-ID",
            "Subject",
            "X-Test",
            "MIME-Version",
            "Content-Type",
          ]);
          // The attachment's own header section holds exactly its three fields.
          const partStart = text.lastIndexOf("Content-Type: text/plain; x=");
          expect(partStart).toBeGreaterThan(0);
          const partHead = text.slice(partStart, text.indexOf("\r\n\r\n", partStart));
          expect(fieldNames(partHead)).toEqual([
            "Content-Type",
            "Content-Transfer-Encoding",
            "Content-Disposition",
          ]);
          expectWireSafe(text);
        },
      ),
      { numRuns: 300 },
    );
  });
});
