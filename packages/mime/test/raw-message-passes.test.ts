import { describe, expect, it } from "vitest";
import { createMessage, type Message, readRawHeaders, toBytes } from "../src/index.ts";
import { fixedOptions, refusal } from "./support.ts";

const encode = (text: string) => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const envelope = { from: "a@example.test", to: "b@example.test" };
const RAW = "From: a@example.test\r\nTo: b@example.test\r\n\r\nbody\r\n";

async function* yielding(...chunks: unknown[]): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) yield chunk as Uint8Array;
}

async function chunksOf(message: Message, reuseBuffers = false): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const chunk of message.stream({ reuseBuffers })) out.push(chunk);
  return out;
}

describe("a raw message given as a stream", () => {
  it("is passed on with CRLF line ends and never an empty chunk", async () => {
    for (const [chunks, text] of [
      [["From: a\r\n", "", "\r\nbody\r"], "From: a\r\n\r\nbody\r\n"],
      [["From: a\n", "\nbody\n", ""], "From: a\r\n\r\nbody\r\n"],
      [["\r", "\nx"], "\r\nx"],
    ] as const) {
      const message = createMessage(
        { raw: yielding(...chunks.map(encode)), envelope },
        fixedOptions(),
      );
      const out = await chunksOf(message);
      expect(out.map((c) => c.length).filter((n) => n === 0)).toEqual([]);
      expect(out.map(decode).join("")).toBe(text);
    }
  });

  it("a chunk that is not a Uint8Array fails the pass, with the field named", async () => {
    const message = createMessage({ raw: yielding(encode(RAW), "text"), envelope }, fixedOptions());
    await expect(toBytes(message)).rejects.toThrow(
      expect.objectContaining({
        field: "raw",
        message: "raw: stream yielded a non-Uint8Array chunk",
      }),
    );
  });

  it("has no Message-ID unless its headers were read ahead", async () => {
    const plain = createMessage(
      { raw: yielding(encode("Message-ID: <x@y>\r\n\r\n")), envelope },
      fixedOptions(),
    );
    expect(plain.messageId).toBe("");
    const read = await readRawHeaders(yielding(encode(`Message-ID: <x@y>\r\n${RAW}`)));
    expect(createMessage({ raw: read }, fixedOptions()).messageId).toBe("<x@y>");
  });

  it("only readRawHeaders' head is trusted: a `head` on another stream is not", () => {
    const forged = Object.assign(yielding(encode(RAW)), { head: encode(RAW) });
    expect(refusal(() => createMessage({ raw: forged }, fixedOptions()))).toBe(
      "envelope: a raw stream needs envelope.from and envelope.to, or readRawHeaders() to read them from its headers",
    );
  });

  it("can be read once: replayable until its pass starts, single-pass, never one chunk", async () => {
    const message = createMessage({ raw: yielding(encode(RAW)), envelope }, fixedOptions());
    expect(message.singlePass).toBe(true);
    expect(message.singleChunk?.()).toBeUndefined();
    expect(message.replayable).toBe(true);
    expect(decode(await toBytes(message))).toBe(RAW);
    expect(message.replayable).toBe(false);
  });

  it("a locked ReadableStream, or anything but a stream, string or bytes, is refused", () => {
    const locked = new ReadableStream<Uint8Array>();
    locked.getReader();
    expect(refusal(() => createMessage({ raw: locked, envelope }, fixedOptions()))).toBe(
      "raw: ReadableStream is locked (already being read)",
    );
    for (const raw of [null, 42, {}, () => undefined]) {
      expect(refusal(() => createMessage({ raw: raw as never, envelope }, fixedOptions()))).toBe(
        "raw: must be a string, Uint8Array, ReadableStream or AsyncIterable",
      );
    }
  });
});

describe("a raw message given as a string or bytes", () => {
  it("can be streamed again and again, and is one chunk", async () => {
    const message = createMessage({ raw: RAW }, fixedOptions());
    expect(message.singlePass).toBe(false);
    expect(decode(message.singleChunk!()!)).toBe(RAW);
    expect(message.replayable).toBe(true);
    expect(decode(await toBytes(message))).toBe(RAW);
    expect(decode(await toBytes(message))).toBe(RAW);
    expect(message.replayable).toBe(true);
  });

  it("its chunks are the caller's own copies, or the message's memory with reuseBuffers", async () => {
    const message = createMessage({ raw: RAW }, fixedOptions());
    const single = message.singleChunk!()!;
    const [copy] = await chunksOf(message);
    expect(copy!.buffer).not.toBe(single.buffer);
    copy!.fill(0x21);
    expect(decode(single)).toBe(RAW);
    const [shared] = await chunksOf(message, true);
    expect(shared!.buffer).toBe(single.buffer);
    expect(decode(shared!)).toBe(RAW);
  });
});
