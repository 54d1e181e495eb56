import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { plainLineLength } from "./plain-lines.ts";

/** The same answer, octet by octet. */
function reference(bytes: Uint8Array): number {
  let longest = 0;
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x0d) longest = Math.max(longest, i - start);
    else if (b === 0x0a) start = i + 1;
    else if (b !== 0x09 && (b < 0x20 || b > 0x7e)) return -1;
  }
  return Math.max(longest, bytes.length - start);
}

const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

describe("plainLineLength", () => {
  it("the longest CRLF line of plain text; -1 for anything outside 0x20–0x7e but TAB, CR, LF", () => {
    expect(plainLineLength(latin1("abc\r\ndefg\r\n"))).toBe(4);
    expect(plainLineLength(latin1("a\tb\r\n\r\nlast line"))).toBe(9);
    expect(plainLineLength(latin1(""))).toBe(0);
    expect(plainLineLength(latin1(" ~"))).toBe(2);
    for (const bad of [0x00, 0x08, 0x0b, 0x1f, 0x7f, 0x80, 0xc3, 0xff]) {
      expect(plainLineLength(latin1(`${"x".repeat(40)}${String.fromCharCode(bad)}`))).toBe(-1);
    }
  });

  it("an octet at each position of a word, at each alignment, the edges of the range", () => {
    // Octets just inside (0x20, 0x7e, TAB) and just outside (0x1f, 0x7f, 0x80, 0xff).
    for (const octet of [0x09, 0x1f, 0x20, 0x7e, 0x7f, 0x80, 0xff, 0x0d, 0x0a]) {
      for (let offset = 0; offset < 4; offset++) {
        for (const size of [3, 4, 5, 8, 9, 64]) {
          for (let at = 0; at < size; at++) {
            const backing = new Uint8Array(offset + size + 4).fill(0x78);
            const bytes = backing.subarray(offset, offset + size);
            bytes[at] = octet;
            expect(plainLineLength(bytes)).toBe(reference(bytes));
          }
        }
      }
    }
  });

  it("reads plain text a word at a time: only the words around a line end octet by octet", () => {
    let reads = 0;
    const text = latin1(
      `${"Lorem ipsum dolor sit amet, consectetur adipiscing elit.".repeat(2)}\r\n`.repeat(40),
    );
    const counted = new Proxy(text, {
      get(target, key) {
        if (typeof key === "string" && /^\d+$/.test(key)) reads++;
        const value = Reflect.get(target, key, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    expect(plainLineLength(counted)).toBe(112);
    expect(reads).toBeLessThan(text.length / 8);
  });

  it("property: the same as the octet-by-octet walk, for any bytes and alignment", () => {
    const octets = fc.array(
      fc.oneof(
        fc.constantFrom(0x0d, 0x0a, 0x09, 0x20, 0x7e, 0x78),
        fc.integer({ min: 0, max: 255 }),
      ),
      { maxLength: 200 },
    );
    fc.assert(
      fc.property(octets, fc.nat({ max: 3 }), fc.boolean(), (list, offset, plainOnly) => {
        const values = plainOnly
          ? list.map((b) =>
              (b < 0x20 && b !== 0x0d && b !== 0x0a && b !== 0x09) || b > 0x7e ? 0x61 : b,
            )
          : list;
        const backing = new Uint8Array(offset + values.length);
        backing.set(values, offset);
        const bytes = backing.subarray(offset);
        expect(plainLineLength(bytes)).toBe(reference(bytes));
      }),
    );
  });
});
