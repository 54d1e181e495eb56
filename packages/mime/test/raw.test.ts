import { describe, expect, it } from "vitest";
import {
  createMessage,
  MAX_RAW_HEADER,
  type MessageInput,
  MimeError,
  readRawHeaders,
  toBytes,
} from "../src/index.ts";
import { fixedOptions } from "./support.ts";

const decode = (bytes: Uint8Array) => Buffer.from(bytes).toString("utf8");
const encode = (text: string) => new TextEncoder().encode(text);

async function* chunks(text: string, size = 5): AsyncGenerator<Uint8Array> {
  const bytes = encode(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size);
}

const RAW = "From: a@example.test\nTo: b@example.test\nSubject: s\n\nbody\n";

describe("raw messages", () => {
  it("are sent as they are, line ends CRLF, with the envelope from their headers", async () => {
    const message = createMessage(
      {
        raw:
          "Sender: list@example.test\r\nFrom: A <a@example.test>, B <b@example.test>\r\n" +
          "To: undisclosed-recipients:;\r\nCc: Team: c@example.test, d@example.test;\r\n" +
          "bcc: e@example.test\r\nTo: f@example.test\r\nMessage-ID:\r\n <id-1@example.test>\r\n\r\nx\ry\n",
      },
      fixedOptions(),
    );
    expect(message.envelope.from?.address).toBe("list@example.test");
    expect(message.envelope.to.map((a) => a.address)).toEqual([
      "f@example.test",
      "c@example.test",
      "d@example.test",
      "e@example.test",
    ]);
    expect(message.messageId).toBe("<id-1@example.test>");
    const bytes = await toBytes(message);
    expect(decode(bytes).endsWith("\r\n\r\nx\r\ny\r\n")).toBe(true);
    expect(message.size).toBe(bytes.length);
    expect(message.eightBit).toBe(false);
    expect(message.smtpUtf8).toBe(false);
  });

  it("envelope overrides the headers, partly or wholly; null is the null sender", () => {
    const only = createMessage({ raw: RAW, envelope: { to: "x@example.test" } }, fixedOptions());
    expect(only.envelope.from?.address).toBe("a@example.test");
    expect(only.envelope.to.map((a) => a.address)).toEqual(["x@example.test"]);
    const bounce = createMessage(
      { raw: "Subject: no From\n\nx", envelope: { from: null, to: "x@example.test" } },
      fixedOptions(),
    );
    expect(bounce.envelope.from).toBeNull();
    expect(bounce.messageId).toBe("");
  });

  it("detects 8-bit bodies, and needs SMTPUTF8 for 8-bit header fields", async () => {
    const body8 = createMessage({ raw: `${RAW}Grüße\n` }, fixedOptions());
    expect(body8.eightBit).toBe(true);
    expect(body8.smtpUtf8).toBe(false);
    const head8 = `Subject: Grüße\n${RAW}`;
    expect(() => createMessage({ raw: head8 }, fixedOptions())).toThrow(
      /raw: its header section has 8-bit octets, which need SMTPUTF8/,
    );
    const utf8 = createMessage({ raw: head8 }, fixedOptions({ smtpUtf8: true }));
    expect(utf8.smtpUtf8).toBe(true);
    expect(utf8.eightBit).toBe(true);
    const ascii = createMessage({ raw: RAW }, fixedOptions({ smtpUtf8: true }));
    expect(ascii.smtpUtf8).toBe(false);
    const intl = createMessage(
      { raw: RAW, envelope: { to: "üser@example.test" } },
      fixedOptions({ smtpUtf8: true }),
    );
    expect(intl.smtpUtf8).toBe(true);
  });

  it("bytes are taken as they are (no UTF-8 round trip)", async () => {
    const bytes = Uint8Array.from([
      ...encode("From: a@example.test\nTo: b@example.test\n\n"),
      0xff,
      0x00,
      0x80,
    ]);
    const message = createMessage({ raw: bytes }, fixedOptions());
    const out = await toBytes(message);
    expect([...out.subarray(-3)]).toEqual([0xff, 0x00, 0x80]);
    expect(message.eightBit).toBe(true);
  });

  it("a stream read with readRawHeaders takes its envelope from its headers, and is read once", async () => {
    const stream = await readRawHeaders(chunks(RAW, 3));
    expect(decode(stream.head)).toBe(
      "From: a@example.test\r\nTo: b@example.test\r\nSubject: s\r\n\r\n",
    );
    const message = createMessage({ raw: stream }, fixedOptions());
    expect(message.envelope.to.map((a) => a.address)).toEqual(["b@example.test"]);
    expect(message.size).toBeUndefined();
    expect(message.eightBit).toBe(true);
    expect(decode(await toBytes(message))).toBe(RAW.replace(/\n/g, "\r\n"));
    expect(() => message.stream()).toThrow(/raw: stream content was already consumed/);
  });

  it("a plain stream needs envelope.from and envelope.to", async () => {
    expect(() => createMessage({ raw: chunks(RAW) }, fixedOptions())).toThrow(
      /envelope: a raw stream needs envelope\.from and envelope\.to/,
    );
    const message = createMessage(
      { raw: chunks(RAW), envelope: { from: "a@example.test", to: "b@example.test" } },
      fixedOptions(),
    );
    expect(decode(await toBytes(message))).toBe(RAW.replace(/\n/g, "\r\n"));
  });

  it("a plain stream with 8-bit header fields fails while streaming, unless SMTPUTF8", async () => {
    const envelope = { from: "a@example.test", to: "b@example.test" };
    const message = createMessage({ raw: chunks(`Subject: ü\n${RAW}`), envelope }, fixedOptions());
    await expect(toBytes(message)).rejects.toThrow(/8-bit octets, which need SMTPUTF8/);
    const ok = createMessage(
      { raw: chunks(`Subject: ü\n${RAW}`), envelope },
      fixedOptions({ smtpUtf8: true }),
    );
    expect(decode(await toBytes(ok))).toContain("Subject: ü\r\n");
  });

  it("readRawHeaders reads at most its limit: at the limit it succeeds, one over it fails", async () => {
    const head = (length: number) => `X: ${"a".repeat(length - 7)}\r\n\r\n`;
    expect(head(100)).toHaveLength(100);
    const at = await readRawHeaders(chunks(`${head(100)}body`, 1), 100);
    expect(at.head).toHaveLength(100);
    await expect(readRawHeaders(chunks(`${head(101)}body`, 1), 100)).rejects.toThrow(
      /raw: the header section is longer than 100 octets/,
    );
    expect(MAX_RAW_HEADER).toBe(1024 * 1024);
    // A stream that ends inside its headers is all header.
    const short = await readRawHeaders(chunks("From: a@example.test\r", 4));
    expect(decode(short.head)).toBe("From: a@example.test\r\n");
  });

  it("readRawHeaders refuses what is not a byte stream", async () => {
    await expect(readRawHeaders("x" as never)).rejects.toThrow(
      /must be a ReadableStream or AsyncIterable/,
    );
    await expect(
      readRawHeaders(
        (async function* () {
          yield "text" as unknown as Uint8Array;
        })(),
      ),
    ).rejects.toThrow(/non-Uint8Array chunk/);
  });

  it("refuses other content fields, empty or malformed raw, and unusable headers", () => {
    const bad: [MessageInput, RegExp][] = [
      [{ raw: RAW, subject: "x" }, /^subject: cannot be combined with raw/],
      [{ raw: RAW, from: "a@example.test" }, /^from: cannot be combined with raw/],
      [{ raw: RAW, attachments: [] }, /^attachments: cannot be combined with raw/],
      [{ raw: "" }, /^raw: is empty/],
      [{ raw: 42 as never }, /^raw: must be a string, Uint8Array/],
      [{ raw: "\ud800" }, /^raw: contains a lone surrogate/],
      [{ raw: "Subject: x\n\nbody" }, /^raw: has no From or Sender header/],
      [{ raw: "From: a@example.test, b@example.test\n\nx" }, /^raw: has several From addresses/],
      [{ raw: "From: not an address\n\nx" }, /^raw \(From header\)/],
      [{ raw: "Sender: a@x.test, b@x.test\n\nx" }, /^raw \(Sender header\): holds more than one/],
    ];
    for (const [input, message] of bad) {
      const error = (() => {
        try {
          createMessage(input, fixedOptions());
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(MimeError);
      expect((error as Error).message).toMatch(message);
    }
  });
});
