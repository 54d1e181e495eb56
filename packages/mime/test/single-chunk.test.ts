// Message.singleChunk(): the whole message in one array when stream() would yield it in
// one chunk (in-memory content, 64 KiB at most), else undefined.
import { describe, expect, it } from "vitest";
import { createMessage, type MessageInput, toBytes } from "../src/index.ts";
import { fixedOptions, latin1 } from "./support.ts";

const base: MessageInput = { from: "a@example.test", to: "b@example.test" };
const YIELD_SIZE = 64 * 1024;

/** A raw message of exactly `length` octets (CRLF line ends already). */
function rawOfLength(length: number): Uint8Array {
  const head = "From: a@example.test\r\nTo: b@example.test\r\n\r\n";
  return new TextEncoder().encode(head + "x".repeat(length - head.length));
}

describe("singleChunk", () => {
  it("gives a built message without attachments whole, as stream() does", async () => {
    const message = createMessage({ ...base, text: "hi" }, fixedOptions());
    expect(message.singleChunk?.()).toEqual(await toBytes(message));
  });

  it("holds up to 64 KiB: at the limit the chunk, one octet over undefined", () => {
    for (const length of [YIELD_SIZE - 1, YIELD_SIZE]) {
      const raw = rawOfLength(length);
      const chunk = createMessage({ raw }, fixedOptions()).singleChunk?.();
      expect(chunk && latin1(chunk)).toBe(latin1(raw));
    }
    expect(
      createMessage({ raw: rawOfLength(YIELD_SIZE + 1) }, fixedOptions()).singleChunk?.(),
    ).toBeUndefined();
  });

  it("is undefined when an attachment is encoded as it is pulled (bytes or stream)", () => {
    const bytes = createMessage(
      { ...base, attachments: [{ content: new Uint8Array(3) }] },
      fixedOptions(),
    );
    expect(bytes.singleChunk?.()).toBeUndefined();
    const stream = createMessage(
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
    expect(stream.singleChunk?.()).toBeUndefined();
  });
});
