import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import PostalMime from "postal-mime";
import { describe, expect, it } from "vitest";
import {
  type BuildOptions,
  createMessage,
  type MessageInput,
  type ReopenableContent,
  readRawHeaders,
  toBytes,
} from "../src/index.ts";
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
  input: () => MessageInput | Promise<MessageInput>;
  options?: Partial<BuildOptions>;
  attachments?: ExpectedAttachment[];
  /** Structure markers the output must contain, in this order. */
  structure: string[];
  /** What the parsers must find, when it is not the input itself (raw messages). */
  expected?: MessageInput;
  /** Further checks of the bytes (e.g. the List-* fields as each parser reads them). */
  check?: (bytes: Uint8Array) => Promise<void>;
}

/** An in-memory file system for `path` fields: each file opens as 700-octet chunks. */
function memoryFiles(
  files: Record<string, Uint8Array>,
): (path: string) => ReopenableContent | undefined {
  return (path) => {
    const bytes = files[path];
    if (bytes === undefined) return undefined;
    const file: ReopenableContent = {
      size: bytes.length,
      open: () =>
        (async function* () {
          yield* chunksOf(bytes, 700);
        })(),
    };
    return file;
  };
}

const ICS = [
  "BEGIN:VCALENDAR",
  "VERSION:2.0",
  "PRODID:-//smtp-ts//golden//EN",
  "METHOD:REQUEST",
  "BEGIN:VEVENT",
  "UID:kickoff-2026@example.test",
  "DTSTAMP:20261129T034506Z",
  "DTSTART:20261201T100000Z",
  "DTEND:20261201T110000Z",
  "SUMMARY:Project kick-off",
  "ORGANIZER;CN=Alice Example:mailto:alice@example.test",
  "ATTENDEE;CN=Bob;RSVP=TRUE;PARTSTAT=NEEDS-ACTION:mailto:bob@example.test",
  "END:VEVENT",
  "END:VCALENDAR",
  "",
].join("\r\n");

const RAW = [
  "From: Raw Sender <raw@example.test>",
  "To: Bob <bob@example.test>,",
  " carol@example.test",
  "Cc: dave@example.test",
  "Subject: A raw message",
  "Message-ID: <raw-1@example.test>",
  "Date: Sun, 29 Nov 2026 04:45:06 +0100",
  "MIME-Version: 1.0",
  "Content-Type: text/plain; charset=utf-8",
  "Content-Transfer-Encoding: 7bit",
  "",
  "Line ends were LF, and a bare CR\rend here.",
  ".a line starting with a dot",
  "",
].join("\n");

const RAW_EXPECTED: MessageInput = {
  from: "Raw Sender <raw@example.test>",
  to: ["Bob <bob@example.test>", "carol@example.test"],
  cc: "dave@example.test",
  subject: "A raw message",
  text: "Line ends were LF, and a bare CR\nend here.\n.a line starting with a dot\n",
};

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

const PDF = Uint8Array.from({ length: 2000 }, (_, i) => (i * 31 + 7) & 0xff);
const TODO = new TextEncoder().encode("1. write tests\n2. ship\n");

cases.push(
  {
    name: "attachment-path",
    input: () => ({
      ...base,
      subject: "Files from paths",
      text: "see the files",
      attachments: [
        { path: "/srv/reports/q4 report.pdf" },
        { path: "notes/todo.txt", filename: "renamed.txt" },
        { path: "data:text/plain;base64,aGVsbG8gd29ybGQ=", filename: "hello.txt" },
      ],
    }),
    options: {
      files: memoryFiles({ "/srv/reports/q4 report.pdf": PDF, "notes/todo.txt": TODO }),
    },
    attachments: [
      {
        filename: "q4 report.pdf",
        contentType: "application/pdf",
        cid: undefined,
        sha256: sha256(PDF),
      },
      { filename: "renamed.txt", contentType: "text/plain", cid: undefined, sha256: sha256(TODO) },
      {
        filename: "hello.txt",
        contentType: "text/plain",
        cid: undefined,
        sha256: sha256("hello world"),
      },
    ],
    structure: ["multipart/mixed", "application/pdf", 'filename="renamed.txt"', "text/plain"],
  },
  {
    name: "attachment-encodings",
    input: () => ({
      ...base,
      subject: "Encoded string contents",
      text: "decoded on the way in",
      attachments: [
        {
          filename: "logo.png",
          content: Buffer.from(PNG).toString("base64").replace(/.{8}/g, "$&\n"),
          encoding: "base64",
        },
        {
          filename: "blob.bin",
          content: Buffer.from(BINARY.subarray(0, 300)).toString("hex"),
          encoding: "hex",
        },
        {
          filename: "latin1.bin",
          content: Buffer.from(BINARY.subarray(0, 256)).toString("latin1"),
          encoding: "binary",
        },
        { filename: "utf8.txt", content: "Grüße ✓", encoding: "utf-8" },
      ],
    }),
    attachments: [
      { filename: "logo.png", contentType: "image/png", cid: undefined, sha256: sha256(PNG) },
      {
        filename: "blob.bin",
        contentType: "application/octet-stream",
        cid: undefined,
        sha256: sha256(BINARY.subarray(0, 300)),
      },
      {
        filename: "latin1.bin",
        contentType: "application/octet-stream",
        cid: undefined,
        sha256: sha256(BINARY.subarray(0, 256)),
      },
      {
        filename: "utf8.txt",
        contentType: "text/plain",
        cid: undefined,
        sha256: sha256("Grüße ✓"),
      },
    ],
    structure: [
      "multipart/mixed",
      "image/png",
      "application/octet-stream",
      "text/plain; charset=utf-8",
    ],
  },
  {
    name: "text-encoding-base64",
    input: () => ({
      ...base,
      subject: "Base64 bodies",
      text: "Grüße,\nplain ASCII would be 7bit otherwise.\n",
      html: "<p>Grüße</p>",
      textEncoding: "base64",
    }),
    structure: [
      "multipart/alternative",
      "text/plain",
      "Content-Transfer-Encoding: base64",
      "text/html",
      "Content-Transfer-Encoding: base64",
    ],
  },
  {
    name: "text-encoding-qp",
    input: () => ({
      ...base,
      subject: "Quoted-printable bodies",
      text: "Plain ASCII = still quoted-printable.\n",
      textEncoding: "quoted-printable",
    }),
    structure: ["Content-Transfer-Encoding: quoted-printable", "ASCII =3D still"],
  },
  {
    name: "alternatives-amp",
    input: () => ({
      ...base,
      subject: "AMP",
      text: "Text version",
      html: "<p>HTML version</p>",
      alternatives: [
        {
          contentType: "text/x-amp-html",
          content:
            '<!doctype html><html ⚡4email data-css-strict><head><meta charset="utf-8"></head><body>AMP version</body></html>',
        },
      ],
    }),
    attachments: [
      {
        filename: undefined,
        contentType: "text/x-amp-html",
        cid: undefined,
        text: '<!doctype html><html ⚡4email data-css-strict><head><meta charset="utf-8"></head><body>AMP version</body></html>',
      },
    ],
    structure: [
      "multipart/alternative",
      "text/plain",
      "text/x-amp-html; charset=utf-8",
      "text/html",
    ],
  },
  {
    name: "ical-event",
    input: () => ({
      ...base,
      subject: "Invitation: Project kick-off",
      text: "You are invited.",
      html: "<p>You are invited.</p>",
      icalEvent: { content: ICS },
    }),
    attachments: [
      { filename: undefined, contentType: "text/calendar", cid: undefined, text: ICS },
      {
        filename: "invite.ics",
        contentType: "application/ics",
        cid: undefined,
        text: ICS,
      },
    ],
    structure: [
      "multipart/mixed",
      "multipart/alternative",
      "text/plain",
      "text/html",
      "Content-Type: text/calendar; charset=utf-8; method=REQUEST",
      'Content-Type: application/ics; name="invite.ics"',
    ],
    check: async (bytes) => {
      const parsed = await PostalMime.parse(bytes.slice().buffer);
      const calendar = parsed.attachments.find((a) => a.mimeType === "text/calendar");
      expect((calendar as { method?: string } | undefined)?.method).toBe("REQUEST");
    },
  },
  {
    name: "ical-cancel-path",
    input: () => ({
      ...base,
      subject: "Cancelled: Project kick-off",
      icalEvent: { path: "cal/cancel.ics", method: "cancel", filename: "cancel.ics" },
    }),
    options: {
      files: memoryFiles({
        "cal/cancel.ics": new TextEncoder().encode(ICS.replace("METHOD:REQUEST", "METHOD:CANCEL")),
      }),
    },
    attachments: [
      {
        filename: undefined,
        contentType: "text/calendar",
        cid: undefined,
        text: ICS.replace("METHOD:REQUEST", "METHOD:CANCEL"),
      },
      {
        filename: "cancel.ics",
        contentType: "application/ics",
        cid: undefined,
        text: ICS.replace("METHOD:REQUEST", "METHOD:CANCEL"),
      },
    ],
    structure: [
      "multipart/mixed",
      "text/calendar; charset=utf-8; method=CANCEL",
      "application/ics",
    ],
  },
  {
    name: "list-headers",
    input: () => ({
      ...base,
      subject: "Newsletter",
      text: "news",
      list: {
        help: "https://lists.example.test/help",
        unsubscribe: [
          {
            url: "https://lists.example.test/unsubscribe?u=42&t=abc",
            comment: "Unsubscribe (one click)",
          },
          "unsubscribe@lists.example.test",
        ],
        subscribe: {
          url: "mailto:subscribe@lists.example.test?subject=subscribe",
          comment: "Abonnieren",
        },
        post: "NO",
        owner: "mailto:owner@lists.example.test",
        archive: "https://lists.example.test/archive/",
        id: { url: "news.lists.example.test", comment: "Example News" },
        oneClick: true,
      },
    }),
    structure: [
      "List-Help: <https://lists.example.test/help>",
      "List-Unsubscribe: <https://lists.example.test/unsubscribe?u=42&t=abc>",
      "List-Subscribe:",
      "List-Post: NO",
      "List-Owner: <mailto:owner@lists.example.test>",
      "List-Archive: <https://lists.example.test/archive/>",
      "List-Id: Example News <news.lists.example.test>",
      "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
    ],
    check: async (bytes) => {
      const parsed = await simpleParser(Buffer.from(bytes));
      const list = parsed.headers.get("list") as Record<string, Record<string, string>>;
      expect(list.help).toEqual({ url: "https://lists.example.test/help" });
      // mailparser keeps one URL per scheme kind: the https one lands in `id`.
      expect(list.unsubscribe).toMatchObject({
        id: "https://lists.example.test/unsubscribe?u=42&t=abc",
        mail: "unsubscribe@lists.example.test",
      });
      expect(list.subscribe).toMatchObject({
        mail: "subscribe@lists.example.test?subject=subscribe",
      });
      expect(list.id).toEqual({ name: "Example News", id: "news.lists.example.test" });
      const postal = await PostalMime.parse(bytes.slice().buffer);
      const header = (name: string) => postal.headers.find((h) => h.key === name)?.value;
      expect(header("list-unsubscribe-post")).toBe("List-Unsubscribe=One-Click");
      expect(header("list-unsubscribe")).toBe(
        "<https://lists.example.test/unsubscribe?u=42&t=abc> (Unsubscribe \\(one click\\)), <mailto:unsubscribe@lists.example.test>",
      );
    },
  },
  {
    name: "raw-string",
    input: () => ({ raw: RAW }),
    expected: RAW_EXPECTED,
    structure: [
      "From: Raw Sender",
      " carol@example.test\r\n",
      "Line ends were LF, and a bare CR\r\nend",
    ],
  },
  {
    name: "raw-stream",
    input: async () => ({
      raw: await readRawHeaders(
        new ReadableStream<Uint8Array>({
          start(controller) {
            for (const c of chunksOf(new TextEncoder().encode(RAW), 7)) controller.enqueue(c);
            controller.close();
          },
        }),
      ),
    }),
    expected: RAW_EXPECTED,
    structure: ["From: Raw Sender", "Subject: A raw message", "a line starting with a dot"],
  },
);

describe("golden messages", () => {
  it.each(cases)("$name is byte-stable and parses back in both parsers", async (c) => {
    const options = fixedOptions(c.options);
    const input = await c.input();
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
    await expectRoundTrip(bytes, c.expected ?? (await c.input()), c.attachments ?? []);
    await c.check?.(bytes);
  });
});
