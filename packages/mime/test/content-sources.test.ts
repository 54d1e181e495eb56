// Attachment content given as a string, bytes or a stream: what is accepted, what is
// refused (with which field and text), and how a stream's contract is held.
import { describe, expect, it } from "vitest";
import {
  type AttachmentInput,
  createMessage,
  type Message,
  type MessageInput,
  MimeError,
  toBytes,
} from "../src/index.ts";
import { fixedOptions, latin1, refusal } from "./support.ts";

const base: MessageInput = { from: "a@example.test", to: "b@example.test" };

function withAttachment(attachment: AttachmentInput): Message {
  return createMessage({ ...base, attachments: [attachment] }, fixedOptions());
}

function refusedAttachment(attachment: unknown): string {
  return refusal(() => withAttachment(attachment as AttachmentInput));
}

/** The message of the MimeError a pass over `message` fails with. */
async function passFailure(message: Message): Promise<string> {
  try {
    await toBytes(message);
  } catch (error) {
    expect(error).toBeInstanceOf(MimeError);
    return (error as Error).message;
  }
  throw new Error("expected the pass to fail");
}

function chunks(...sizes: number[]): AsyncIterable<Uint8Array> {
  return (async function* () {
    for (const size of sizes) yield new Uint8Array(size).fill(0x41);
  })();
}

function readable(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

describe("declared content size", () => {
  it("must be a non-negative safe integer, named as the part's size field", () => {
    for (const size of [-1, 1.5, Number.NaN, 2 ** 53, "3"]) {
      expect(refusedAttachment({ content: chunks(3), size })).toBe(
        "attachments[0].size: must be a non-negative integer",
      );
    }
    expect(
      refusal(() =>
        createMessage(
          { ...base, alternatives: [{ contentType: "text/x-a", content: chunks(1), size: -1 }] },
          fixedOptions(),
        ),
      ),
    ).toBe("alternatives[0].size: must be a non-negative integer");
  });

  it("0 is a size: an empty stream declared empty goes out", async () => {
    const message = withAttachment({ filename: "e.bin", content: chunks(), size: 0 });
    const bytes = await toBytes(message);
    expect(message.size).toBe(bytes.length);
    expect(latin1(bytes)).toContain('filename="e.bin"');
  });

  it("a string or bytes content must have exactly the declared number of octets", async () => {
    expect(refusedAttachment({ content: "abc", size: 2 })).toBe(
      "attachments[0].size: is 2 but the content has 3 octets",
    );
    expect(refusedAttachment({ content: "abc", size: 4 })).toBe(
      "attachments[0].size: is 4 but the content has 3 octets",
    );
    // Octets, not characters.
    expect(refusedAttachment({ content: "é", size: 1 })).toBe(
      "attachments[0].size: is 1 but the content has 2 octets",
    );
    expect(refusedAttachment({ content: new Uint8Array(5), size: 6 })).toBe(
      "attachments[0].size: is 6 but the content has 5 octets",
    );
    const declared = withAttachment({ filename: "a.txt", content: "é", size: 2 });
    const plain = withAttachment({ filename: "a.txt", content: "é" });
    expect(latin1(await toBytes(declared))).toBe(latin1(await toBytes(plain)));
    expect(() => withAttachment({ content: new Uint8Array(5), size: 5 })).not.toThrow();
  });

  it("a stream longer than declared fails as soon as it passes the size", async () => {
    expect(await passFailure(withAttachment({ content: chunks(3, 3), size: 5 }))).toBe(
      "attachments[0].content: stream is longer than its declared size 5",
    );
    expect(await passFailure(withAttachment({ content: chunks(3, 3), size: 7 }))).toBe(
      "attachments[0].content: stream produced 6 octets, declared size 7",
    );
    const exact = withAttachment({ content: chunks(3, 3), size: 6 });
    expect((await toBytes(exact)).length).toBe(exact.size);
  });
});

describe("stream content", () => {
  it("anything but a string, bytes, ReadableStream or AsyncIterable is refused", () => {
    const text =
      "attachments[0].content: must be a string, Uint8Array, ReadableStream or AsyncIterable";
    expect(refusedAttachment({ content: {} })).toBe(text);
    expect(refusedAttachment({ content: 5 })).toBe(text);
    expect(refusedAttachment({ content: [new Uint8Array(1)] })).toBe(text);
    expect(refusedAttachment({ content: null })).toBe("attachments[0].content: is required");
  });

  it("a locked ReadableStream is refused before any byte is produced", () => {
    const stream = readable(new Uint8Array(1));
    stream.getReader();
    expect(refusedAttachment({ content: stream })).toBe(
      "attachments[0].content: ReadableStream is locked (already being read)",
    );
  });

  it("a ReadableStream without async iteration (getReader only) is read through its reader", async () => {
    const stream = readable(new TextEncoder().encode("hello"));
    const readerOnly = {
      get locked() {
        return stream.locked;
      },
      getReader: () => stream.getReader(),
    };
    const message = withAttachment({ filename: "h.txt", content: readerOnly as never });
    expect(message.singlePass).toBe(true);
    expect(latin1(await toBytes(message))).toContain("\r\n\r\naGVsbG8=\r\n");
  });

  it("a ReadableStream content makes the message single-pass", () => {
    expect(withAttachment({ content: readable(new Uint8Array(1)) }).singlePass).toBe(true);
  });

  it("a chunk that is not a Uint8Array fails the pass, naming the content", async () => {
    const strings = (async function* () {
      yield "abc";
    })();
    expect(await passFailure(withAttachment({ content: strings as never }))).toBe(
      "attachments[0].content: stream yielded a non-Uint8Array chunk",
    );
  });

  it("two passes started before either reads: the second finds the stream taken", async () => {
    const message = withAttachment({ content: chunks(4) });
    const first = message.stream();
    const second = message.stream();
    for await (const _ of first);
    const failure = (async () => {
      for await (const _ of second);
    })();
    await expect(failure).rejects.toThrow(
      new MimeError("attachments[0].content", "stream content was already consumed"),
    );
    expect(() => message.stream()).toThrow(
      "attachments[0].content: stream content was already consumed by an earlier stream()",
    );
  });
});

describe("string content encodings", () => {
  it('"utf8" is UTF-8 text, as "utf-8" and no encoding are (a text type gets its charset)', async () => {
    const outputs = await Promise.all(
      [undefined, "utf-8", "utf8"].map(async (encoding) =>
        latin1(
          await toBytes(
            withAttachment({ filename: "a.txt", content: "grüße", encoding } as AttachmentInput),
          ),
        ),
      ),
    );
    expect(outputs[0]).toContain("Content-Type: text/plain; charset=utf-8");
    expect(outputs[1]).toBe(outputs[0]);
    expect(outputs[2]).toBe(outputs[0]);
    expect(refusedAttachment({ content: "\ud800", encoding: "utf8" })).toMatch(
      /^attachments\[0\]\.content: /,
    );
  });

  it("a data: URL path is bytes: the message size is known", async () => {
    const message = withAttachment({ path: "data:text/plain,hi" });
    expect(message.size).toBe((await toBytes(message)).length);
  });
});
