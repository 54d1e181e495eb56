import { describe, expect, it } from "vitest";
import { MimeError, readRawHeaders } from "../src/index.ts";

const encode = (text: string) => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** What a source was asked: next() calls and return() calls. */
interface SourceLog {
  next: number;
  returned: number;
}

/**
 * A hand-made async iterable yielding `chunks` (then `forever` again and again, if given),
 * that counts what it is asked. Without `withReturn` its iterator has no return().
 */
function source(
  chunks: unknown[],
  { forever, withReturn = true }: { forever?: unknown; withReturn?: boolean } = {},
): { log: SourceLog; iterable: AsyncIterable<Uint8Array> } {
  const log: SourceLog = { next: 0, returned: 0 };
  let i = 0;
  const iterator: AsyncIterator<Uint8Array> = {
    next: async () => {
      log.next++;
      if (i < chunks.length) return { done: false, value: chunks[i++] as Uint8Array };
      if (forever !== undefined) return { done: false, value: forever as Uint8Array };
      return { done: true, value: undefined };
    },
  };
  if (withReturn) {
    iterator.return = async () => {
      log.returned++;
      return { done: true, value: undefined };
    };
  }
  return { log, iterable: { [Symbol.asyncIterator]: () => iterator } };
}

/** `text` cut into chunks of `size` octets. */
const cut = (text: string, size: number) => {
  const bytes = encode(text);
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.slice(i, i + size));
  return out;
};

async function all(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const chunk of stream) out.push(chunk);
  return out;
}

/** The MimeError a promise rejects with; fails on anything else. */
async function rejection(promise: Promise<unknown>): Promise<MimeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MimeError);
  return error as MimeError;
}

/** A header section of exactly `length` octets (CRLF CRLF included). */
const head = (length: number) => `X: ${"a".repeat(length - 7)}\r\n\r\n`;

describe("readRawHeaders: the limit on the header section", () => {
  it("holds however the stream is cut: at the limit it is read, one octet over it is refused", async () => {
    for (const size of [1, 7, 64, 10_000]) {
      const at = await readRawHeaders(source(cut(`${head(100)}body`, size)).iterable, 100);
      expect(decode(at.head), `chunks of ${size}`).toBe(head(100));
      const over = source(cut(`${head(101)}body`, size));
      const error = await rejection(readRawHeaders(over.iterable, 100));
      expect(error.message).toBe("raw: the header section is longer than 100 octets");
      expect(error.field).toBe("raw");
      expect(over.log.returned, `chunks of ${size}`).toBe(1);
    }
  });

  it("a stream that ends in its headers at the limit is all header; one octet more is refused", async () => {
    const at = await readRawHeaders(source([encode("a".repeat(100))]).iterable, 100);
    expect(decode(at.head)).toBe("a".repeat(100));
    const over = readRawHeaders(source(cut("a".repeat(101), 100)).iterable, 100);
    expect((await rejection(over)).message).toBe(
      "raw: the header section is longer than 100 octets",
    );
  });

  it("stops reading once past the limit, and tells the source it is done", async () => {
    const endless = source([], { forever: encode("aaaaaaaaaa") });
    const error = await rejection(readRawHeaders(endless.iterable, 100));
    expect(error.message).toBe("raw: the header section is longer than 100 octets");
    // 11 chunks make 110 octets, the first count over 100.
    expect(endless.log).toEqual({ next: 11, returned: 1 });
  });

  it("a source without return() is refused the same way", async () => {
    const endless = source([], { forever: encode("aaaaaaaaaa"), withReturn: false });
    const error = await rejection(readRawHeaders(endless.iterable, 100));
    expect(error.message).toBe("raw: the header section is longer than 100 octets");
    const wrong = source([encode("From"), "text"], { withReturn: false });
    expect((await rejection(readRawHeaders(wrong.iterable))).message).toBe(
      "raw: stream yielded a non-Uint8Array chunk",
    );
  });
});

describe("readRawHeaders: the stream it gives back", () => {
  it("yields the whole message once, and never asks a finished source again", async () => {
    const ended = source(cut("From: a@example.test\nTo: b", 4));
    const stream = await readRawHeaders(ended.iterable);
    expect(decode(stream.head)).toBe("From: a@example.test\r\nTo: b");
    expect(ended.log.next).toBe(8);
    expect((await all(stream)).map(decode)).toEqual(["From: a@example.test\r\nTo: b"]);
    expect(ended.log.next).toBe(8);
  });

  it("passes the rest on as the source yields it, after the part read ahead", async () => {
    const message = source(cut("From: a@example.test\n\nbody\nmore", 22));
    const stream = await readRawHeaders(message.iterable);
    expect((await all(stream)).map(decode)).toEqual(["From: a@example.test\r\n\r\n", "body\nmore"]);
    expect(message.log.next).toBe(3);
  });

  it("an empty source has an empty head and yields no chunk at all", async () => {
    const stream = await readRawHeaders(source([]).iterable);
    expect(stream.head).toHaveLength(0);
    expect(await all(stream)).toEqual([]);
  });

  it("reads a ReadableStream; a locked one is refused before anything is read", async () => {
    const open = () =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(encode("To: b@example.test\n\nx"));
          controller.close();
        },
      });
    expect(decode((await readRawHeaders(open())).head)).toBe("To: b@example.test\r\n\r\n");
    const locked = open();
    locked.getReader();
    const error = await rejection(readRawHeaders(locked));
    expect(error.message).toBe("raw: ReadableStream is locked (already being read)");
  });

  it("refuses what is not a byte stream, with its field named", async () => {
    const iterableFunction = Object.assign(() => undefined, {
      [Symbol.asyncIterator]: source([encode("To: b@example.test\n\n")]).iterable[
        Symbol.asyncIterator
      ],
    });
    for (const raw of [null, undefined, 42, "To: b@example.test\n\n", iterableFunction, {}]) {
      const error = await rejection(readRawHeaders(raw as never));
      expect(error.message).toBe("raw: must be a ReadableStream or AsyncIterable");
    }
  });
});
