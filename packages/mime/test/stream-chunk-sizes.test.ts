import { describe, expect, it } from "vitest";
import { createMessage, type Message, toBytes } from "../src/index.ts";
import { fixedOptions, latin1 } from "./support.ts";

// Fixed bytes are handed out in chunks of at most 64 KiB, never an empty one, each the
// next slice of the message: checked at, just under and just over one and two chunks.

const CHUNK = 64 * 1024;
const HEAD = "From: a@example.test\r\nTo: b@example.test\r\n\r\n";

/** A raw message of exactly `size` octets: full lines of 100 octets, then a shorter one. */
function rawOfSize(size: number): string {
  let body = "";
  let left = size - HEAD.length;
  let n = 0;
  while (left > 102) {
    body += `${String(n++ % 10).repeat(98)}\r\n`;
    left -= 100;
  }
  return HEAD + body + `${"z".repeat(left - 2)}\r\n`;
}

async function chunkLengths(message: Message, reuseBuffers: boolean): Promise<number[]> {
  const lengths: number[] = [];
  for await (const chunk of message.stream({ reuseBuffers })) lengths.push(chunk.length);
  return lengths;
}

describe("chunk sizes of a message's fixed bytes", () => {
  it.each([
    [CHUNK - 1, [CHUNK - 1]],
    [CHUNK, [CHUNK]],
    [CHUNK + 1, [CHUNK, 1]],
    [2 * CHUNK - 1, [CHUNK, CHUNK - 1]],
    [2 * CHUNK, [CHUNK, CHUNK]],
    [2 * CHUNK + 1, [CHUNK, CHUNK, 1]],
  ])("%i octets come as %j, the same bytes in order", async (size, expected) => {
    const raw = rawOfSize(size);
    const message = createMessage({ raw }, fixedOptions());
    expect(message.size).toBe(size);
    expect(await chunkLengths(message, false)).toEqual(expected);
    expect(await chunkLengths(message, true)).toEqual(expected);
    expect(latin1(await toBytes(message))).toBe(raw);
  });

  it("a composed message's chunks are at most 64 KiB and none is empty", async () => {
    const message = createMessage(
      { from: "a@example.test", to: "b@example.test", text: `${"t".repeat(70)}\n`.repeat(2000) },
      fixedOptions(),
    );
    const size = message.size!;
    expect(size).toBeGreaterThan(2 * CHUNK);
    const lengths = await chunkLengths(message, false);
    expect(lengths.reduce((a, b) => a + b, 0)).toBe(size);
    expect(lengths.slice(0, -1).every((l) => l === CHUNK)).toBe(true);
    expect(lengths.at(-1)).toBe(size % CHUNK);
  });
});
