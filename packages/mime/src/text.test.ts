import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { refusal } from "./errors.test-util.ts";
import {
  asciiScratchNow,
  assertHeaderSafe,
  assertWellFormed,
  isAscii,
  isAsciiAlphanumeric,
  isPrintableAscii,
  utf8,
  utf8Length,
} from "./text.ts";

describe("utf8Length", () => {
  const expectEncodedLength = (texts: string[]) => {
    for (const text of texts) {
      expect(utf8Length(text), JSON.stringify(text)).toBe(utf8(text).length);
    }
  };

  it("counts octets at each end of the 1, 2, 3 and 4 octet ranges", () => {
    expectEncodedLength([
      "\u007f",
      "\u0080",
      "\u07ff",
      "\u0800",
      "\ud7ff",
      "\ue000",
      "\uffff",
      "\u{10000}",
      "\u{10ffff}",
      "a\u{1F600}b",
    ]);
  });

  it("counts an unpaired surrogate as the 3 octets of U+FFFD that TextEncoder writes", () => {
    expectEncodedLength([
      "\ud800",
      "\udbff",
      "\udc00",
      "a\ud800",
      "\ud800a",
      "\ud800é",
      "\ud800\ud800",
      "\udbff\udbff\udc00",
      "\udc00\ud800",
      "\ud800\ue000",
      "\ud800\udbff",
      "\ud800\udc00",
      "\udbff\udfff",
    ]);
  });

  it("property: the length of any string, well-formed or not, is that of its encoding", () => {
    const unit = fc.oneof(
      fc.integer({ min: 0, max: 0xffff }),
      fc.integer({ min: 0xd7fe, max: 0xe001 }),
    );
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 12 }), (codes) => {
        const text = String.fromCharCode(...codes);
        expect(utf8Length(text)).toBe(utf8(text).length);
      }),
    );
  });
});

describe("isAscii", () => {
  const reference = (text: string) => /^[\x00-\x7f]*$/.test(text);
  // Around the length where it stops matching and starts encoding (64), and around the
  // most its reused buffer holds (65,536), where it matches again.
  const lengths = [0, 1, 63, 64, 65, 1023, 1024, 1025, 65_535, 65_536, 65_537];

  it("is true for ASCII and false for one non-ASCII code unit anywhere, at every length", () => {
    for (const length of lengths) {
      const ascii = "a\x7f\x00".repeat(Math.ceil(length / 3)).slice(0, length);
      expect(isAscii(ascii), `length ${length}`).toBe(true);
      if (length === 0) continue;
      for (const at of [0, length >> 1, length - 1]) {
        for (const unit of ["\x80", "\xff", "\u0100", "\ud800", "\udfff", "\uffff"]) {
          const text = ascii.slice(0, at) + unit + ascii.slice(at + 1);
          expect(isAscii(text), `length ${length}, ${escape(unit)} at ${at}`).toBe(false);
        }
      }
      // A pair at the very end: four octets, which may not fit the buffer.
      if (length >= 2) expect(isAscii(`${ascii.slice(0, length - 2)}\u{1f600}`)).toBe(false);
    }
  });

  it("agrees with a character class on any string", () => {
    const unit = fc.oneof(
      fc.constantFrom("a", "\r", "\n", "\x7f", "\x80", "\u00e9", "\ud83d", "\ude00"),
      fc.string({ unit: "binary", maxLength: 4 }),
    );
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 200 }), fc.nat(100), (units, pad) => {
        const text = "x".repeat(pad) + units.join("");
        expect(isAscii(text)).toBe(reference(text));
      }),
      { numRuns: 2000 },
    );
  });

  it("grows its reused buffer to twice what it needs, at least 2 KiB and at most 64 KiB", async () => {
    // A fresh copy of the module: its buffer starts empty.
    vi.resetModules();
    const fresh = await import("./text.ts");
    // [length checked, the buffer's size after it]: none under 64 code units, twice the
    // length (at least 2 KiB) when it grows, never past 64 KiB, and over 65,536 matched.
    for (const [length, size] of [
      [63, 0],
      [64, 2048],
      [2048, 2048],
      [2049, 4098],
      [3000, 4098],
      [40_000, 65_536],
      [65_536, 65_536],
      [65_537, 65_536],
      [200_000, 65_536],
    ]) {
      fresh.isAscii("a".repeat(length!));
      expect(fresh.asciiScratchNow().length, `after ${length} code units`).toBe(size);
    }
    expect(asciiScratchNow()).not.toBe(fresh.asciiScratchNow());
  });
});

describe("isPrintableAscii", () => {
  it("takes space to tilde, nothing around them", () => {
    expect(isPrintableAscii(" ~")).toBe(true);
    expect(isPrintableAscii("a\u001fb")).toBe(false);
    expect(isPrintableAscii("a\u007fb")).toBe(false);
    expect(isPrintableAscii("")).toBe(true);
  });
});

describe("isAsciiAlphanumeric", () => {
  it("takes the ends of a-z, A-Z and 0-9, and not their neighbours", () => {
    for (const c of "azAZ09") expect(isAsciiAlphanumeric(c.charCodeAt(0)), c).toBe(true);
    for (const c of "`{@[/:") expect(isAsciiAlphanumeric(c.charCodeAt(0)), c).toBe(false);
  });
});

describe("assertHeaderSafe", () => {
  it("names CR, LF and NUL and where they are", () => {
    expect(refusal(() => assertHeaderSafe("subject", "ab\rc")).message).toBe(
      "subject: contains CR at index 2",
    );
    expect(refusal(() => assertHeaderSafe("subject", "a\nc")).message).toBe(
      "subject: contains LF at index 1",
    );
    expect(refusal(() => assertHeaderSafe("subject", "\0")).message).toBe(
      "subject: contains NUL at index 0",
    );
  });

  it("takes surrogate pairs and refuses lone surrogates at each end of both ranges", () => {
    for (const check of [assertHeaderSafe, assertWellFormed]) {
      expect(() => check("x", "\ud800\udc00\udbff\udfff")).not.toThrow();
      for (const [value, index] of [
        ["a\ud800", 1],
        ["a\udbffb", 1],
        ["\udc00", 0],
        ["ab\udfff", 2],
        ["\ud800\ud800\udc00", 0],
        ["\udbff\ue000", 0],
        ["\udc00\udc00", 0],
      ] as const) {
        expect(refusal(() => check("x", value)).message).toBe(
          `x: contains a lone surrogate at index ${index}`,
        );
      }
    }
  });
});
