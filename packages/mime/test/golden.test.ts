import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type BuildOptions, createMessage, type MessageInput, toBytes } from "../src/index.ts";
import {
  type ExpectedAttachment,
  expectRoundTrip,
  expectWellFormedLines,
  fixedOptions,
  sha256,
} from "./support.ts";

// Byte-exact golden messages under a fixed clock and randomness. Regenerate with
//   UPDATE_GOLDEN=1 pnpm exec vitest run packages/mime
// and review the diff; by default the test compares and never writes.
const GOLDEN = join(import.meta.dirname, "golden");

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 1, 2, 3]);
const BINARY = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7919 + (i >> 3)) & 0xff);

function chunksOf(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.slice(i, i + size));
  return out;
}

interface Case {
  name: string;
  input: () => MessageInput;
  options?: Partial<BuildOptions>;
  attachments?: ExpectedAttachment[];
  /** Structure markers the output must contain, in this order. */
  structure: string[];
}

const base = {
  from: { name: "Alice Example", address: "alice@example.test" },
  to: ["bob@example.test"],
};

const cases: Case[] = [
  {
    name: "text-only",
    input: () => ({ ...base, subject: "Hello", text: "Hi Bob,\n\nplain ASCII text.\n" }),
    structure: ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 7bit"],
  },
  {
    name: "html-only",
    input: () => ({ ...base, subject: "HTML", html: "<p>Hello <b>Bob</b></p>" }),
    structure: ["Content-Type: text/html; charset=utf-8"],
  },
  {
    name: "alternative",
    input: () => ({ ...base, subject: "Both", text: "Hello Bob", html: "<p>Hello Bob</p>" }),
    structure: ["multipart/alternative", "text/plain", "text/html"],
  },
  {
    name: "related",
    input: () => ({
      ...base,
      subject: "Inline image",
      html: '<p>Logo: <img src="cid:logo@example.test"></p>',
      attachments: [{ filename: "logo.png", content: PNG, cid: "logo@example.test" }],
    }),
    attachments: [
      {
        filename: "logo.png",
        contentType: "image/png",
        cid: "logo@example.test",
        sha256: sha256(PNG),
      },
    ],
    structure: ["multipart/related", "text/html", "image/png", "Content-ID: <logo@example.test>"],
  },
  {
    name: "alternative-related",
    input: () => ({
      ...base,
      subject: "Text, and HTML with an inline image",
      text: "Logo below (HTML only).",
      html: '<p>Logo: <img src="cid:logo@example.test"></p>',
      attachments: [{ filename: "logo.png", content: PNG, cid: "logo@example.test" }],
    }),
    attachments: [
      {
        filename: "logo.png",
        contentType: "image/png",
        cid: "logo@example.test",
        sha256: sha256(PNG),
      },
    ],
    structure: [
      "multipart/alternative",
      "text/plain",
      "multipart/related",
      "text/html",
      "image/png",
    ],
  },
  {
    name: "mixed-everything",
    input: () => ({
      ...base,
      cc: [{ name: "Carol", address: "carol@example.test" }],
      bcc: ["hidden@example.test"],
      subject: "Everything",
      text: "Text version",
      html: '<p>HTML version <img src="cid:logo"></p>',
      attachments: [
        { filename: "logo.png", content: PNG, cid: "logo" },
        { filename: "data.bin", content: BINARY },
        { filename: "notes.txt", content: "some notes\n" },
      ],
    }),
    attachments: [
      { filename: "logo.png", contentType: "image/png", cid: "logo", sha256: sha256(PNG) },
      {
        filename: "data.bin",
        contentType: "application/octet-stream",
        cid: undefined,
        sha256: sha256(BINARY),
      },
      {
        filename: "notes.txt",
        contentType: "text/plain",
        cid: undefined,
        sha256: sha256("some notes\n"),
      },
    ],
    structure: [
      "multipart/mixed",
      "multipart/alternative",
      "text/plain",
      "multipart/related",
      "text/html",
      "image/png",
      "application/octet-stream",
      "text/plain; charset=utf-8",
    ],
  },
  {
    name: "attachment-only",
    input: () => ({
      ...base,
      subject: "Just a file",
      attachments: [{ filename: "data.bin", content: BINARY }],
    }),
    attachments: [
      {
        filename: "data.bin",
        contentType: "application/octet-stream",
        cid: undefined,
        sha256: sha256(BINARY),
      },
    ],
    structure: ["multipart/mixed", "application/octet-stream", "Content-Transfer-Encoding: base64"],
  },
  {
    name: "streamed-attachments",
    input: () => ({
      ...base,
      subject: "Streams",
      text: "two streamed files",
      attachments: [
        {
          filename: "from-readable.bin",
          content: new ReadableStream<Uint8Array>({
            start(controller) {
              for (const c of chunksOf(BINARY, 1000)) controller.enqueue(c);
              controller.close();
            },
          }),
        },
        {
          filename: "from-iterable.bin",
          content: (async function* () {
            yield* chunksOf(BINARY, 333);
          })(),
          size: BINARY.length,
        },
      ],
    }),
    attachments: [
      {
        filename: "from-readable.bin",
        contentType: "application/octet-stream",
        cid: undefined,
        sha256: sha256(BINARY),
      },
      {
        filename: "from-iterable.bin",
        contentType: "application/octet-stream",
        cid: undefined,
        sha256: sha256(BINARY),
      },
    ],
    structure: ["multipart/mixed", "text/plain", "application/octet-stream"],
  },
  {
    name: "non-ascii-names",
    input: () => ({
      from: "Jan KOVAČIČ <jan@example.test>",
      to: [
        { name: "Zoë Saldaña", address: "zoe@example.test" },
        { name: 'Doe, John "JD"', address: "jd@example.test" },
        { name: "山田 太郎", address: "taro@example.test" },
      ],
      replyTo: [{ name: "Ελληνικά Υποστήριξη", address: "support@example.test" }],
      subject: "Names",
      text: "names test",
    }),
    structure: ["From: =?UTF-8?", "Content-Transfer-Encoding: 7bit"],
  },
  {
    name: "non-ascii-subjects",
    input: () => ({
      ...base,
      subject:
        "Привет, мир — 你好，世界 — مرحبا بالعالم — こんにちは 🎉👩‍👩‍👧‍👦 and a long tail so that it folds over several lines",
      text: "Grüße aus Köln — naïve café\nSecond line: 日本語",
    }),
    structure: ["Subject: =?UTF-8?", "Content-Transfer-Encoding: quoted-printable"],
  },
  {
    name: "non-ascii-filenames",
    input: () => ({
      ...base,
      subject: "Files",
      text: "see attached",
      attachments: [
        { filename: "résumé.pdf", content: BINARY.subarray(0, 300) },
        {
          filename: "报告 2026 年度总结 — 非常长的文件名，用于测试 RFC 2231 的续行编码.xlsx",
          content: PNG,
        },
        { filename: `${"very-long-ascii-filename-".repeat(6)}.txt`, content: "x" },
        { filename: 'quote"and\\backslash.txt', content: "y" },
      ],
    }),
    attachments: [
      {
        filename: "résumé.pdf",
        contentType: "application/pdf",
        cid: undefined,
        sha256: sha256(BINARY.subarray(0, 300)),
      },
      {
        filename: "报告 2026 年度总结 — 非常长的文件名，用于测试 RFC 2231 的续行编码.xlsx",
        contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        cid: undefined,
        sha256: sha256(PNG),
      },
      {
        filename: `${"very-long-ascii-filename-".repeat(6)}.txt`,
        contentType: "text/plain",
        cid: undefined,
        sha256: sha256("x"),
      },
      {
        filename: 'quote"and\\backslash.txt',
        contentType: "text/plain",
        cid: undefined,
        sha256: sha256("y"),
      },
    ],
    structure: ["filename*=utf-8''r%C3%A9sum%C3%A9.pdf", "filename*0*=utf-8''"],
  },
  {
    name: "long-lines-qp",
    input: () => ({
      ...base,
      subject: "Long",
      text: `${"word ".repeat(250)}end\nshort line   \n.leading dot`,
    }),
    structure: ["Content-Transfer-Encoding: quoted-printable"],
  },
  {
    name: "headers-priority-threading",
    input: () => ({
      ...base,
      sender: "list-bounces@example.test",
      replyTo: "replies@example.test",
      inReplyTo: "<parent@example.test>",
      references: ["<root@example.test>", "parent@example.test"],
      subject: "Re: thread",
      text: "reply",
      priority: "high",
      headers: { "X-Mailer-Test": "golden", "List-Id": ["<one.example.test>"] },
      date: new Date(Date.UTC(2026, 0, 1, 23, 30, 0)),
      messageId: "fixed-id@example.test",
    }),
    options: { timeZoneOffset: -330 },
    structure: [
      "Date: Thu, 1 Jan 2026 18:00:00 -0530",
      "X-Priority: 1 (Highest)",
      "Importance: High",
    ],
  },
  {
    name: "idn-punycode",
    input: () => ({
      from: "Jörg <joerg@bücher.example>",
      to: ["info@münchen.example"],
      subject: "IDN",
      text: "idn",
    }),
    structure: [
      "From: =?UTF-8?Q?J=C3=B6rg?= <joerg@xn--bcher-kva.example>",
      "To: info@xn--mnchen-3ya.example",
    ],
  },
  {
    name: "eightbit",
    input: () => ({
      ...base,
      subject: "8bit",
      text: "Grüße — 8BITMIME body",
      html: "<p>Grüße</p>",
    }),
    options: { allow8bit: true },
    structure: ["Content-Transfer-Encoding: 8bit"],
  },
  {
    name: "smtputf8",
    input: () => ({
      from: { name: "Jörg Müller", address: "jörg@bücher.example" },
      to: ["用户@例子.example"],
      subject: "Grüße aus München ✓",
      text: "UTF-8 everywhere",
    }),
    options: { smtpUtf8: true, allow8bit: true },
    structure: ["From: Jörg Müller <jörg@bücher.example>", "Subject: Grüße aus München ✓"],
  },
];

describe("golden messages", () => {
  it.each(cases)("$name is byte-stable and parses back in both parsers", async (c) => {
    const options = fixedOptions(c.options);
    const input = c.input();
    const message = createMessage(input, options);
    const bytes = await toBytes(message);
    const file = join(GOLDEN, `${c.name}.eml`);
    if (process.env.UPDATE_GOLDEN === "1" || !existsSync(file)) {
      if (process.env.UPDATE_GOLDEN !== "1")
        throw new Error(`missing golden ${file}: run with UPDATE_GOLDEN=1`);
      writeFileSync(file, bytes);
    }
    expect(Buffer.from(bytes).toString("latin1")).toBe(readFileSync(file).toString("latin1"));

    if (message.size !== undefined) expect(message.size).toBe(bytes.length);
    expectWellFormedLines(bytes, options.smtpUtf8 === true);
    const text = Buffer.from(bytes).toString("utf8");
    let at = 0;
    for (const marker of c.structure) {
      const found = text.indexOf(marker, at);
      expect(found, `marker ${marker}`).toBeGreaterThanOrEqual(0);
      at = found;
    }
    expect(text).not.toContain("hidden@example.test");
    await expectRoundTrip(bytes, c.input(), c.attachments ?? []);
  });
});
