import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { refusal } from "./errors.test-util.ts";
import {
  assertHeaderSafe,
  assertWellFormed,
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
