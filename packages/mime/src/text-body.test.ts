import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeText, isPlainText, normalizeNewlines } from "./text-body.ts";

/** Strings of the characters that matter here: CR, LF, TAB, printable, control, non-ASCII. */
const texts = fc
  .array(fc.constantFrom("a", " ", "\r", "\n", "\r\n", "\n\r", "\t", "\x00", "\x7f", "é", "😀"), {
    maxLength: 40,
  })
  .map((parts) => parts.join(""));

describe("normalizeNewlines", () => {
  it("CRLF, bare CR and bare LF all become CRLF: with and without a CR in the text", () => {
    expect(normalizeNewlines("a\nb\n")).toBe("a\r\nb\r\n");
    expect(normalizeNewlines("a\rb\r\nc\n\rd")).toBe("a\r\nb\r\nc\r\n\r\nd");
    expect(normalizeNewlines("")).toBe("");
    fc.assert(
      fc.property(texts, (text) => {
        expect(normalizeNewlines(text)).toBe(text.replace(/\r\n|\r|\n/g, "\r\n"));
      }),
    );
  });
});

describe("isPlainText", () => {
  it("printable ASCII, TAB, CR and LF only; the same after normalizing", () => {
    expect(isPlainText("Hello,\r\n\tworld ~\n")).toBe(true);
    for (const c of ["\x00", "\x08", "\x0b", "\x1f", "\x7f", "\x80", "é"]) {
      expect(isPlainText(`a${c}b`)).toBe(false);
    }
    fc.assert(
      fc.property(texts, (text) => {
        expect(isPlainText(normalizeNewlines(text))).toBe(isPlainText(text));
      }),
    );
  });

  it("encodeText with the caller's plain flag chooses what it chooses without it", () => {
    fc.assert(
      fc.property(texts, fc.boolean(), (text, allow8bit) => {
        expect(encodeText(text, allow8bit, undefined, isPlainText(text))).toEqual(
          encodeText(text, allow8bit),
        );
      }),
    );
  });
});
