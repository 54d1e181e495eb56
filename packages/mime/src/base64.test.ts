import { describe, expect, it } from "vitest";
import { base64Stream, encodeBase64Lines, READ_BLOCK } from "./base64.ts";

/** Base64 in lines of 76 characters, each ending in CRLF: what the encoder must give. */
function expected(bytes: Uint8Array): string {
  const flat = Buffer.from(bytes).toString("base64");
  const lines = flat.match(/.{1,76}/g) ?? [""];
  return lines.map((line) => `${line}\r\n`).join("");
}

const bytes = (length: number, seed = 1) =>
  Uint8Array.from({ length }, (_, i) => (i * 31 + seed * 7) & 255);

async function* chunks(...parts: Uint8Array[]) {
  for (const part of parts) yield part;
}

/** Every block as yielded, not copied: what a consumer holding on to them would see. */
async function held(source: AsyncIterable<Uint8Array>, reuse?: boolean): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const block of base64Stream(source, reuse)) out.push(block);
  return out;
}

const text = (blocks: Uint8Array[]) =>
  blocks.map((b) => Buffer.from(b).toString("latin1")).join("");

describe("encodeBase64Lines", () => {
  it("writes into a target only when it has room, else into a fresh array", () => {
    const input = bytes(100);
    const small = new Uint8Array(10);
    expect(Buffer.from(encodeBase64Lines(input, 0, 100, small)).toString("latin1")).toBe(
      expected(input),
    );
    const room = new Uint8Array(1000);
    const out = encodeBase64Lines(input, 0, 100, room);
    expect(out.buffer).toBe(room.buffer);
    expect(Buffer.from(out).toString("latin1")).toBe(expected(input));
  });

  it("encodes from an offset that is not a multiple of 3", () => {
    const input = bytes(200);
    // A last line of one octet, starting one past a multiple of 3, then more input after it.
    expect(Buffer.from(encodeBase64Lines(input, 1, 1 + 58)).toString("latin1")).toBe(
      expected(input.subarray(1, 1 + 58)),
    );
    expect(Buffer.from(encodeBase64Lines(input, 47, 47 + 114)).toString("latin1")).toBe(
      expected(input.subarray(47, 47 + 114)),
    );
  });
});

describe("base64Stream", () => {
  it("ends with one CRLF after whole lines: 57 and 114 octets", async () => {
    for (const length of [57, 114]) {
      const input = bytes(length);
      expect(text(await held(chunks(input)))).toBe(expected(input));
    }
  });

  it("gives the same text however the source is cut, a line's tail carried over", async () => {
    const input = bytes(400);
    for (const cuts of [[10], [56], [57], [58], [10, 57 + 10], [1, 2, 3, 200]]) {
      const parts: Uint8Array[] = [];
      let from = 0;
      for (const cut of [...cuts, input.length]) {
        parts.push(input.slice(from, cut));
        from = cut;
      }
      expect(text(await held(chunks(...parts))), cuts.join(",")).toBe(expected(input));
    }
  });

  it("by default gives blocks a consumer may keep; in reuse mode, one buffer", async () => {
    const first = bytes(READ_BLOCK, 1);
    const second = bytes(READ_BLOCK, 2);
    const blocks = await held(chunks(first, second));
    expect(blocks).toHaveLength(2);
    expect(text(blocks)).toBe(expected(Uint8Array.from([...first, ...second])));
    const reused = await held(chunks(first, second), true);
    expect(reused[0]!.buffer).toBe(reused[1]!.buffer);
  });

  it("encodes an empty source as one empty line", async () => {
    expect(text(await held(chunks()))).toBe("\r\n");
    expect(text(await held(chunks(new Uint8Array(0))))).toBe("\r\n");
  });
});
