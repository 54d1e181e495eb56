import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizeDomain } from "./domain.ts";
import { MimeError } from "./errors.ts";
import { decodePunycode } from "./punycode.ts";

describe("decodePunycode", () => {
  it.each([
    ["bcher-kva", "bücher"],
    ["mnchen-3ya", "münchen"],
    ["wgv71a119e", "日本語"],
    ["r8jz45g", "例え"],
    ["zckzah", "テスト"],
    ["egbpdaj6bu4bxfgehfvwxn", "ليهمابتكلموشعربي؟"],
  ])("%s decodes to %s", (encoded, decoded) => {
    expect(decodePunycode(encoded)).toBe(decoded);
  });

  it.each(["99999999999", "a-!", "bcher-kv"])("refuses invalid input %s", (bad) => {
    expect(decodePunycode(bad)).toBeUndefined();
  });

  it("reads digits in either case, at the ends of a-z, A-Z and 0-9", () => {
    // wgv71a119e has 1, 7 and 9; z-0fa has 0; and every letter works upper-cased.
    for (const [encoded, decoded] of [
      ["wgv71a119e", "日本語"],
      ["z-0fa", "zä"],
      ["mnchen-3ya", "münchen"],
      ["and-6ma2c", "ñandú"],
    ] as const) {
      expect(decodePunycode(encoded)).toBe(decoded);
      const upper =
        encoded.slice(0, encoded.lastIndexOf("-") + 1) +
        encoded.slice(encoded.lastIndexOf("-") + 1).toUpperCase();
      expect(decodePunycode(upper)).toBe(decoded);
    }
    // Every digit value in the first two positions, lower- and upper-case.
    for (let codePoint = 0x80; codePoint < 0x80 + 36 * 36; codePoint++) {
      const encoded = encodeOne(codePoint);
      expect(decodePunycode(encoded)).toBe(String.fromCodePoint(codePoint));
      expect(decodePunycode(encoded.toUpperCase())).toBe(String.fromCodePoint(codePoint));
    }
  });

  it("copies the basic code points before the last hyphen, and refuses non-ASCII there", () => {
    expect(decodePunycode("mnchen-ost-9db")).toBe("münchen-ost");
    expect(decodePunycode("\u0080-kva")).toBeUndefined();
    // A leading hyphen is not a delimiter: "-" is no digit.
    expect(decodePunycode("-kva")).toBeUndefined();
    expect(decodePunycode("a-kv!")).toBeUndefined();
    // A character that is no digit ends the decoding at once, even before valid digits.
    expect(decodePunycode("!a")).toBeUndefined();
    expect(decodePunycode("+a")).toBeUndefined();
    // "{" follows "z": no digit, though "z-0fa" decodes.
    expect(decodePunycode("z-{fa")).toBeUndefined();
  });

  it("refuses a code point above U+10FFFF and a surrogate, takes their neighbours", () => {
    for (const [codePoint, ok] of [
      [0xd7ff, true],
      [0xd800, false],
      [0xdfff, false],
      [0xe000, true],
      [0x10ffff, true],
      [0x110000, false],
    ] as const) {
      const decoded = decodePunycode(encodeOne(codePoint));
      expect(decoded, codePoint.toString(16)).toBe(
        ok ? String.fromCodePoint(codePoint) : undefined,
      );
    }
  });

  it("inverts the URL API's encoding for any label it accepts", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 20, unit: "grapheme" }), (label) => {
        let ascii: string;
        try {
          ascii = new URL(`http://${label}.example/`).hostname;
        } catch {
          return;
        }
        // Only labels the URL parser read as one host label (not "#", "/", "?" cut-offs).
        const first = ascii.split(".")[0]!;
        if (ascii !== `${first}.example` || !first.startsWith("xn--")) return;
        const decoded = decodePunycode(first.slice(4))!;
        expect(new URL(`http://${decoded}.example/`).hostname).toBe(ascii);
      }),
      { numRuns: 300 },
    );
  });
});

describe("normalizeDomain", () => {
  it("the SMTPUTF8 form always maps to the ASCII form, whose labels are LDH", () => {
    const unit = fc.constantFrom(..."aZ9-_.ü日．。１－ＡＢß");
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 24, unit }), (domain) => {
        let result: ReturnType<typeof normalizeDomain>;
        try {
          result = normalizeDomain("to", domain);
        } catch (error) {
          expect(error).toBeInstanceOf(MimeError);
          return;
        }
        expect(result.ascii).toMatch(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/);
        expect(result.ascii).not.toMatch(/(^|\.)-|-(\.|$)|(^|\.)[0-9]+$/);
        expect(new URL(`http://${result.unicode}/`).hostname).toBe(result.ascii.toLowerCase());
      }),
      { numRuns: 500 },
    );
  });
});

/** RFC 3492 §6.3 for a label of one non-basic code point: an independent encoder. */
function encodeOne(codePoint: number): string {
  const digit = (d: number) => String.fromCharCode(d < 26 ? 0x61 + d : 0x30 + d - 26);
  let q = codePoint - 0x80;
  let out = "";
  for (let k = 36; ; k += 36) {
    const t = k <= 72 ? 1 : k >= 72 + 26 ? 26 : k - 72;
    if (q < t) break;
    out += digit(t + ((q - t) % (36 - t)));
    q = Math.floor((q - t) / (36 - t));
  }
  return out + digit(q);
}
