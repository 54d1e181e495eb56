import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { saslPrep } from "./saslprep.ts";

describe("saslPrep", () => {
  // The examples of RFC 4013 §3, except #5 (a bidirectional check this subset leaves out).
  it.each([
    ["I\u00ADX", "IX"],
    ["user", "user"],
    ["USER", "USER"],
    ["\u00AA", "a"],
    ["\u2168", "IX"],
  ])("prepares %j as %j (RFC 4013 §3)", (input, output) => {
    expect(saslPrep(input)).toBe(output);
  });

  it("refuses a prohibited character (RFC 4013 §3 example 5: U+0007)", () => {
    expect(saslPrep("\u0007")).toBeNull();
  });

  it("maps every non-ASCII space to U+0020", () => {
    for (const space of [
      "\u00A0",
      "\u1680",
      "\u2000",
      "\u2005",
      "\u200A",
      "\u202F",
      "\u205F",
      "\u3000",
    ]) {
      expect(saslPrep(`a${space}b`)).toBe("a b");
    }
  });

  it("removes what is commonly mapped to nothing", () => {
    for (const nothing of [
      "\u00AD",
      "\u034F",
      "\u1806",
      "\u180B",
      "\u180C",
      "\u180D",
      "\u200B",
      "\u200C",
      "\u200D",
      "\u2060",
      "\uFE00",
      "\uFE0F",
      "\uFEFF",
    ]) {
      expect(saslPrep(`a${nothing}b`)).toBe("ab");
    }
    // Just past the ends of B.1's ranges: U+180E and U+200E are prohibited (C.2.2, C.8),
    // U+180A and U+FE10 are kept.
    expect(saslPrep("a\u180Eb")).toBeNull();
    expect(saslPrep("a\u200Eb")).toBeNull();
    expect(saslPrep("a\u180Ab")).toBe("a\u180Ab");
    expect(saslPrep("a\uFE10b")).toBe("a\uFE10b".normalize("NFKC"));
  });

  it("normalises to NFKC", () => {
    expect(saslPrep("e\u0301")).toBe("\u00e9");
    expect(saslPrep("\uFB01")).toBe("fi");
    expect(saslPrep("pässwörd")).toBe("pässwörd");
  });

  it.each([
    ["ASCII control (C.2.1)", "\u0000"],
    ["DEL (C.2.1)", "\u007F"],
    ["C1 control (C.2.2)", "\u0085"],
    ["line separator (C.2.2)", "\u2028"],
    ["musical symbol control (C.2.2)", "\u{1D173}"],
    ["private use (C.3)", "\uE000"],
    ["supplementary private use (C.3)", "\u{F0000}"],
    ["non-character (C.4)", "\uFDD0"],
    ["U+FFFE (C.4)", "\uFFFE"],
    ["plane-1 non-character (C.4)", "\u{1FFFF}"],
    ["plane-16 non-character (C.4)", "\u{10FFFE}"],
    ["lone high surrogate (C.5)", "\uD800"],
    ["lone low surrogate (C.5)", "\uDC00"],
    ["replacement character (C.6)", "\uFFFD"],
    ["ideographic description (C.7)", "\u2FF0"],
    ["left-to-right mark (C.8)", "\u200E"],
    ["tag character (C.9)", "\u{E0041}"],
  ])("refuses a %s", (_, char) => {
    expect(saslPrep(`ab${char}cd`)).toBeNull();
  });

  it("keeps well-formed surrogate pairs", () => {
    expect(saslPrep("p\u{1F511}ss")).toBe("p\u{1F511}ss");
  });

  it("leaves printable ASCII untouched", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme-ascii" }), (text) => {
        fc.pre(!/[\0-\x1f\x7f]/.test(text));
        expect(saslPrep(text)).toBe(text);
      }),
    );
  });

  it("is idempotent on what it accepts", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 20 }), (text) => {
        const once = saslPrep(text);
        if (once !== null) expect(saslPrep(once)).toBe(once);
      }),
      { numRuns: 500 },
    );
  });
});
