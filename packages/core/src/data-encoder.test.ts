import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DataEncoder } from "./data-encoder.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function encode(chunks: string[], options: { dotStuff?: boolean } = {}): string {
  const e = new DataEncoder(options);
  return chunks.map((c) => dec.decode(e.push(enc.encode(c)))).join("") + dec.decode(e.end());
}

function encodeBytes(bytes: Uint8Array, cuts: number[]): Uint8Array {
  const e = new DataEncoder();
  const parts: number[] = [];
  let at = 0;
  for (const p of [...cuts, bytes.length]) {
    parts.push(...e.push(bytes.subarray(at, p)));
    at = p;
  }
  parts.push(...e.end());
  return Uint8Array.from(parts);
}

describe("DataEncoder", () => {
  it("R6 smuggling: golden outputs", () => {
    expect(encode(["a\n.\r\nMAIL FROM:<x>"])).toBe("a\r\n..\r\nMAIL FROM:<x>\r\n.\r\n");
    expect(encode(["a\r.\r\n"])).toBe("a\r\n..\r\n.\r\n");
    expect(encode(["a\n.\n"])).toBe("a\r\n..\r\n.\r\n");
    expect(encode([".leading"])).toBe("..leading\r\n.\r\n");
    expect(encode(["no eol"])).toBe("no eol\r\n.\r\n");
    expect(encode(["ends in CR\r"])).toBe("ends in CR\r\n.\r\n");
    expect(encode([""])).toBe(".\r\n");
    expect(encode(["a\r\n\r\n"])).toBe("a\r\n\r\n.\r\n");
  });

  it("R6 holds across chunks that end after CR, after LF and after a dot", () => {
    expect(encode(["a\r", "\n.", "\r", "\n"])).toBe("a\r\n..\r\n.\r\n");
    expect(encode(["a\n", ".", "b"])).toBe("a\r\n..b\r\n.\r\n");
    expect(encode(["a\r", ".b"])).toBe("a\r\n..b\r\n.\r\n");
  });

  it("only normalises line ends without dot-stuffing (BDAT)", () => {
    expect(encode(["a\n.b\r", "x"], { dotStuff: false })).toBe("a\r\n.b\r\nx\r\n");
    expect(encode([""], { dotStuff: false })).toBe("");
  });

  it("refuses use after end", () => {
    const e = new DataEncoder();
    e.end();
    expect(() => e.push(enc.encode("x"))).toThrow();
    expect(() => e.end()).toThrow();
  });

  it("R6 property: same bytes for any chunking, only CRLF line ends, the terminator is the only CRLF.CRLF", () => {
    const byteArb = fc.oneof(
      fc.constantFrom(0x0d, 0x0a, 0x2e, 0x41),
      fc.integer({ min: 0, max: 255 }),
    );
    fc.assert(
      fc.property(
        fc.array(byteArb, { maxLength: 200 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (raw, cuts) => {
          const bytes = Uint8Array.from(raw);
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort(
            (a, b) => a - b,
          );
          const whole = encodeBytes(bytes, []);
          expect(encodeBytes(bytes, points)).toEqual(whole);
          const text = Array.from(whole, (b) => String.fromCharCode(b)).join("");
          // Every CR is followed by LF and every LF preceded by CR.
          expect(/\r(?!\n)|(?<!\r)\n/.test(text)).toBe(false);
          const wire = `\r\n${text}`; // the DATA line's CRLF precedes the body
          expect(wire.indexOf("\r\n.\r\n")).toBe(wire.length - 5);
          expect(text.endsWith(".\r\n")).toBe(true);
        },
      ),
    );
  });
});
