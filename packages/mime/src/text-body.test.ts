import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeText, normalizeNewlines } from "./text-body.ts";

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

describe("encodeText", () => {
  /** The choice as it was made before the octet scan: regular expressions on the text. */
  function reference(text: string, allow8bit: boolean): string {
    const normalized = text.replace(/\r\n|\r|\n/g, "\r\n");
    const longest = Math.max(...normalized.split("\r\n").map((line) => line.length));
    if (!/[^\x09\x0a\x0d\x20-\x7e]/.test(normalized) && longest <= 998) return "7bit";
    const octets = Math.max(
      ...normalized.split("\r\n").map((line) => new TextEncoder().encode(line).length),
    );
    if (allow8bit && !/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(normalized) && octets <= 998) {
      return "8bit";
    }
    return "quoted-printable";
  }

  it("chooses what the regular expressions chose, and says whether the text is plain", () => {
    const long = fc.constantFrom(
      "",
      "x".repeat(997),
      "x".repeat(998),
      "x".repeat(999),
      "é".repeat(499),
    );
    fc.assert(
      fc.property(texts, long, texts, fc.boolean(), (before, line, after, allow8bit) => {
        const text = before + line + after;
        const encoded = encodeText(text, allow8bit);
        expect(encoded.encoding).toBe(reference(text, allow8bit));
        // Plain: printable ASCII, TAB and line breaks, whatever the lines' lengths.
        expect(encoded.plain).toBe(!/[^\x09\x0a\x0d\x20-\x7e]/.test(text));
      }),
    );
  });

  it("an empty body, or one of empty lines only (longest line 0), is 7bit", () => {
    for (const text of ["", "\n", "\r\n\r\n"]) {
      expect(encodeText(text, false).encoding).toBe("7bit");
      expect(encodeText(text, true).encoding).toBe("7bit");
    }
  });

  it("a forced encoding leaves plain unchecked (false)", () => {
    expect(encodeText("plain", false, "base64").plain).toBe(false);
    expect(encodeText("plain", false, "quoted-printable").plain).toBe(false);
  });
});
