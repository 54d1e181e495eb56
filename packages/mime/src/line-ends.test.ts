import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { splitAt } from "../test/chunks.ts";
import { LineEndNormalizer, normalizeLineEnds } from "./line-ends.ts";

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString("latin1");

const lines = fc
  .array(fc.constantFrom("a", "é", "\r", "\n", "\r\n", "\n\r", "x:y", " "), { maxLength: 40 })
  .map((a) => new Uint8Array(Buffer.from(a.join(""), "latin1")));

describe("line ends", () => {
  it("every CR, LF and CRLF becomes CRLF, whatever the chunking", () => {
    fc.assert(
      fc.property(lines, fc.array(fc.nat(), { maxLength: 6 }), (bytes, cuts) => {
        const expected = text(bytes).replace(/\r\n|\r|\n/g, "\r\n");
        expect(text(normalizeLineEnds(bytes))).toBe(expected);
        const normalizer = new LineEndNormalizer();
        let out = "";
        for (const chunk of splitAt(bytes, cuts)) out += text(normalizer.push(chunk));
        out += text(normalizer.end());
        expect(out).toBe(expected);
        expect(normalizer.written).toBe(expected.length);
        // The header section ends at the first empty line (or at once, when the message starts with one).
        const at = expected.startsWith("\r\n") ? 2 : expected.indexOf("\r\n\r\n") + 4;
        expect(normalizer.bodyStart).toBe(at < 4 && !expected.startsWith("\r\n") ? undefined : at);
        const head = expected.slice(0, normalizer.bodyStart ?? expected.length);
        expect(normalizer.headerEightBit).toBe(/[^\x00-\x7f]/.test(head));
      }),
    );
  });

  it("returns a clean chunk itself, without copying", () => {
    const chunk = new Uint8Array(Buffer.from("a\r\nb\r\n"));
    expect(new LineEndNormalizer().push(chunk)).toBe(chunk);
  });

  it("keeps a final CR pending across an empty chunk, and ends it once", () => {
    const normalizer = new LineEndNormalizer();
    let out = text(normalizer.push(new Uint8Array(Buffer.from("a\r"))));
    out += text(normalizer.push(new Uint8Array(0)));
    out += text(normalizer.push(new Uint8Array(Buffer.from("\nb\r"))));
    out += text(normalizer.end());
    out += text(normalizer.end());
    expect(out).toBe("a\r\nb\r\n");
  });

  it("sees 8-bit octets in the header from 0x80 up, not DEL", () => {
    const del = new LineEndNormalizer();
    del.push(new Uint8Array(Buffer.from("X: \x7f\r\n\r\n\x80", "latin1")));
    expect(del.headerEightBit).toBe(false);
    const high = new LineEndNormalizer();
    high.push(new Uint8Array(Buffer.from("X: \x80\r\n\r\n", "latin1")));
    expect(high.headerEightBit).toBe(true);
  });

  it("ends the header at the empty line only, whatever octets precede a line end", () => {
    const normalizer = new LineEndNormalizer();
    normalizer.push(new Uint8Array(Buffer.from("X: a\0\0\r\nY: b\r\n\r\nbody", "latin1")));
    expect(normalizer.bodyStart).toBe("X: a\0\0\r\nY: b\r\n\r\n".length);
  });
});
