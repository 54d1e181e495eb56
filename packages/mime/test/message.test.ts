import { describe, expect, it } from "vitest";
import {
  createMessage,
  type MessageInput,
  MimeError,
  toBytes,
  toReadableStream,
} from "../src/index.ts";
import { fixedOptions, seededRandom } from "./support.ts";

const base: MessageInput = { from: "Alice <alice@example.test>", to: "bob@example.test" };
const decode = (bytes: Uint8Array) => Buffer.from(bytes).toString("latin1");

describe("Message", () => {
  it("messageId is random hex at the sender's domain (punycode), hostname for literals", () => {
    const a = createMessage(base, fixedOptions());
    expect(a.messageId).toMatch(/^<[0-9a-f]{32}@example\.test>$/);
    const b = createMessage(base, { ...fixedOptions(), randomBytes: seededRandom(7) });
    expect(b.messageId).not.toBe(a.messageId);
    const idn = createMessage({ ...base, from: "a@bücher.example" }, fixedOptions());
    expect(idn.messageId).toMatch(/@xn--bcher-kva\.example>$/);
    const literal = createMessage(
      { ...base, from: "a@[192.0.2.1]" },
      fixedOptions({ hostname: "mx.example.test" }),
    );
    expect(literal.messageId).toMatch(/@mx\.example\.test>$/);
    expect(createMessage({ ...base, messageId: "given@x.test" }, fixedOptions()).messageId).toBe(
      "<given@x.test>",
    );
  });

  it("bcc never reaches the headers", async () => {
    const text = decode(
      await toBytes(
        createMessage({ ...base, bcc: "secret@example.test", text: "x" }, fixedOptions()),
      ),
    );
    expect(text).not.toMatch(/secret|^Bcc:/im);
  });

  it("size is exact when every content size is known, undefined otherwise", async () => {
    const bytes = new Uint8Array(100_001).map((_, i) => i);
    const known = createMessage(
      {
        ...base,
        text: "t",
        html: "<p>h</p>",
        attachments: [
          { filename: "a.bin", content: bytes },
          { filename: "b.txt", content: "ü".repeat(1000) },
          { filename: "empty.bin", content: new Uint8Array(0) },
          {
            filename: "s.bin",
            size: 1000,
            content: (async function* () {
              yield new Uint8Array(400);
              yield new Uint8Array(600);
            })(),
          },
        ],
      },
      fixedOptions(),
    );
    expect(known.size).toBe((await toBytes(known)).length);
    const unknown = createMessage(
      {
        ...base,
        attachments: [
          {
            content: (async function* () {
              yield new Uint8Array(3);
            })(),
          },
        ],
      },
      fixedOptions(),
    );
    expect(unknown.size).toBeUndefined();
  });

  it("a stream that breaks its declared size fails with a MimeError", async () => {
    const message = createMessage(
      {
        ...base,
        attachments: [
          {
            size: 10,
            content: (async function* () {
              yield new Uint8Array(4);
            })(),
          },
        ],
      },
      fixedOptions(),
    );
    await expect(toBytes(message)).rejects.toThrow(/declared size 10/);
  });

  it("byte content can be streamed again; a consumed stream content throws at the second stream()", async () => {
    const bytesMessage = createMessage(
      { ...base, attachments: [{ content: new Uint8Array(10) }] },
      fixedOptions(),
    );
    expect(await toBytes(bytesMessage)).toEqual(await toBytes(bytesMessage));
    expect(bytesMessage.replayable).toBe(true);
    const streamMessage = createMessage(
      {
        ...base,
        attachments: [
          {
            content: (async function* () {
              yield new Uint8Array(10);
            })(),
          },
        ],
      },
      fixedOptions(),
    );
    // Starting a pass does not consume the stream; reaching it does.
    expect(streamMessage.replayable).toBe(true);
    streamMessage.stream();
    expect(streamMessage.replayable).toBe(true);
    await toBytes(streamMessage);
    expect(streamMessage.replayable).toBe(false);
    expect(() => streamMessage.stream()).toThrow(MimeError);
  });

  it("singlePass: known before the first pass, true only with one-shot stream content", () => {
    const once = () => ({
      content: (async function* () {
        yield new Uint8Array(3);
      })(),
    });
    const file = {
      size: 3,
      open: () => [new Uint8Array(3)] as unknown as AsyncIterable<Uint8Array>,
    };
    const files = {
      ...fixedOptions(),
      files: (path: string) => (path === "a.bin" ? file : undefined),
    };
    expect(createMessage(base, fixedOptions()).singlePass).toBe(false);
    expect(
      createMessage(
        { ...base, attachments: [{ content: "text" }, { content: new Uint8Array(3) }] },
        fixedOptions(),
      ).singlePass,
    ).toBe(false);
    expect(createMessage({ ...base, attachments: [{ path: "a.bin" }] }, files).singlePass).toBe(
      false,
    );
    expect(
      createMessage({ ...base, attachments: [{ path: "a.bin" }, once()] }, files).singlePass,
    ).toBe(true);
    const streamed = createMessage({ ...base, attachments: [once()] }, fixedOptions());
    expect([streamed.singlePass, streamed.replayable]).toEqual([true, true]);
    expect(
      createMessage(
        { raw: "From: a@example.test\r\nTo: b@example.test\r\n\r\nhi\r\n" },
        fixedOptions(),
      ).singlePass,
    ).toBe(false);
    const rawStream = createMessage(
      { raw: once().content, envelope: { from: "a@example.test", to: "b@example.test" } },
      fixedOptions(),
    );
    expect(rawStream.singlePass).toBe(true);
  });

  it("pulls attachment content only as the consumer reads (back-pressure)", async () => {
    let produced = 0;
    const message = createMessage(
      {
        ...base,
        text: "x",
        attachments: [
          {
            content: (async function* () {
              for (let i = 0; i < 1000; i++) {
                produced++;
                yield new Uint8Array(65_536);
              }
            })(),
          },
        ],
      },
      fixedOptions(),
    );
    const iterator = message.stream()[Symbol.asyncIterator]();
    for (let i = 0; i < 5; i++) await iterator.next();
    // Five reads: the headers/text piece plus a few encoded blocks, never the whole source.
    expect(produced).toBeLessThanOrEqual(5);
    await iterator.return?.();
    expect(produced).toBeLessThan(10);
  });

  it("toReadableStream pulls attachment content only as the consumer reads (back-pressure)", async () => {
    let produced = 0;
    const message = createMessage(
      {
        ...base,
        text: "x",
        attachments: [
          {
            content: (async function* () {
              for (let i = 0; i < 1000; i++) {
                produced++;
                yield new Uint8Array(65_536);
              }
            })(),
          },
        ],
      },
      fixedOptions(),
    );
    const reader = toReadableStream(message)!.getReader();
    for (let i = 0; i < 3; i++) await reader.read();
    // Give an eager stream every chance to run ahead of the reader before counting.
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(produced).toBeLessThanOrEqual(3);
    await reader.cancel();
    expect(produced).toBeLessThan(10);
  });

  it("cancels a ReadableStream source when the consumer stops early", async () => {
    let cancelled = false;
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new Uint8Array(65_536));
      },
      cancel() {
        cancelled = true;
      },
    });
    const message = createMessage({ ...base, attachments: [{ content: source }] }, fixedOptions());
    const iterator = message.stream()[Symbol.asyncIterator]();
    await iterator.next();
    await iterator.next();
    await iterator.return?.();
    expect(cancelled).toBe(true);
  });

  it("reuseBuffers: same bytes when each chunk is copied before the next pull, one buffer reused", async () => {
    const content = new Uint8Array(300_000).map((_, i) => i * 13);
    const message = createMessage(
      { ...base, text: "t", attachments: [{ content }] },
      fixedOptions(),
    );
    const copies: Uint8Array[] = [];
    const buffers = new Set<ArrayBufferLike>();
    for await (const chunk of message.stream({ reuseBuffers: true })) {
      copies.push(chunk.slice());
      if (chunk.length > 60_000) buffers.add(chunk.buffer);
    }
    expect(Buffer.concat(copies).equals(Buffer.from(await toBytes(message)))).toBe(true);
    // Four full 64 KiB blocks went through a single buffer.
    expect(buffers.size).toBe(1);
  });

  it("toReadableStream gives the same bytes", async () => {
    const message = createMessage(
      { ...base, text: "hello", attachments: [{ content: "x" }] },
      fixedOptions(),
    );
    const expected = await toBytes(message);
    const stream = toReadableStream(message)!;
    const chunks: Uint8Array[] = [];
    for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk);
    expect(Buffer.concat(chunks)).toEqual(Buffer.from(expected));
  });

  it("cid attachments without HTML are ordinary attachments (no multipart/related)", async () => {
    const text = decode(
      await toBytes(
        createMessage(
          { ...base, text: "t", attachments: [{ cid: "c1", content: "x" }] },
          fixedOptions(),
        ),
      ),
    );
    expect(text).not.toContain("multipart/related");
    expect(text).toContain("Content-ID: <c1>");
    expect(text).toContain("Content-Disposition: inline");
  });

  it.each([
    ["high", "X-Priority: 1 (Highest)\r\nImportance: High\r\n"],
    ["normal", "X-Priority: 3 (Normal)\r\nImportance: Normal\r\n"],
    ["low", "X-Priority: 5 (Lowest)\r\nImportance: Low\r\n"],
  ] as const)(
    "priority %s writes exactly its X-Priority and Importance lines",
    async (priority, lines) => {
      const text = decode(
        await toBytes(
          createMessage({ ...base, subject: "s", priority, text: "t" }, fixedOptions()),
        ),
      );
      const head = text.slice(0, text.indexOf("\r\n\r\n") + 2);
      expect(head).toContain(`Subject: s\r\n${lines}MIME-Version: 1.0\r\n`);
      expect(head.match(/^(X-Priority|Importance):/gim)).toHaveLength(2);
    },
  );

  it("no priority writes neither X-Priority nor Importance", async () => {
    const text = decode(await toBytes(createMessage({ ...base, text: "t" }, fixedOptions())));
    expect(text).not.toMatch(/^(X-Priority|Importance):/im);
  });

  it('disposition "inline" without a cid: a Content-Disposition: inline part in multipart/mixed, no Content-ID', async () => {
    const text = decode(
      await toBytes(
        createMessage(
          {
            ...base,
            html: "<p>h</p>",
            attachments: [{ filename: "a.txt", content: "x", disposition: "inline" }],
          },
          fixedOptions(),
        ),
      ),
    );
    expect(text).toMatch(/^Content-Type: multipart\/mixed;/m);
    expect(text).not.toContain("multipart/related");
    expect(text).toContain('Content-Disposition: inline; filename="a.txt"\r\n');
    expect(text).not.toContain("Content-ID:");
    expect(text).not.toContain("Content-Disposition: attachment");
  });

  it('cid with disposition "attachment": stays in multipart/related with its Content-ID, disposition attachment', async () => {
    const text = decode(
      await toBytes(
        createMessage(
          {
            ...base,
            html: '<img src="cid:c1">',
            attachments: [
              { cid: "c1", filename: "i.png", content: "x", disposition: "attachment" },
            ],
          },
          fixedOptions(),
        ),
      ),
    );
    expect(text).toMatch(/^Content-Type: multipart\/related;/m);
    expect(text).not.toContain("multipart/mixed");
    expect(text).toContain("Content-ID: <c1>\r\n");
    expect(text).toContain('Content-Disposition: attachment; filename="i.png"\r\n');
    expect(text).not.toContain("Content-Disposition: inline");
  });

  it("an empty message is a single empty text/plain part", async () => {
    const text = decode(await toBytes(createMessage(base, fixedOptions())));
    expect(text).toMatch(
      /Content-Type: text\/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n\r\n$/,
    );
  });

  it("draws a new boundary when the first one occurs in a raw body", async () => {
    // Find the boundary the seeded source draws first, then put it in the text.
    const probe = decode(
      await toBytes(createMessage({ ...base, text: "a", html: "b" }, fixedOptions())),
    );
    const first = /boundary="([^"]+)"/.exec(probe)![1]!;
    const text = decode(
      await toBytes(
        createMessage({ ...base, text: `--${first}\r\nevil`, html: "b" }, fixedOptions()),
      ),
    );
    const used = /boundary="([^"]+)"/.exec(text)![1]!;
    expect(used).not.toBe(first);
    expect(text.split(`--${used}`)).toHaveLength(4);
  });

  it.each([
    [
      "returns the same bytes for a second boundary",
      { text: "a", html: "b", attachments: [{ content: "x" }] },
    ],
    ["only draws a boundary the raw body holds", { text: `--=_${"00".repeat(12)}`, html: "b" }],
  ])("options.randomBytes that %s is a MimeError", (_label, patch) => {
    const zeros = (n: number) => new Uint8Array(n);
    let caught: unknown;
    try {
      createMessage({ ...base, ...patch }, fixedOptions({ randomBytes: zeros }));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MimeError);
    expect((caught as MimeError).field).toBe("options.randomBytes");
  });

  it("reports eightBit only for 8bit output", () => {
    expect(createMessage({ ...base, text: "grüße" }, fixedOptions()).eightBit).toBe(false);
    expect(
      createMessage({ ...base, text: "grüße" }, fixedOptions({ allow8bit: true })).eightBit,
    ).toBe(true);
    expect(
      createMessage({ ...base, subject: "grüße" }, fixedOptions({ smtpUtf8: true })).eightBit,
    ).toBe(true);
    expect(
      createMessage({ ...base, subject: "grüße" }, fixedOptions({ smtpUtf8: true })).smtpUtf8,
    ).toBe(true);
  });
});
