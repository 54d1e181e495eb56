import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeQuotedPrintable } from "../src/quoted-printable.ts";
import { encodeText } from "../src/text-body.ts";

const x = (n: number) => "x".repeat(n);
/** `n` two-octet characters: 2n octets of UTF-8 in n code units. */
const u = (n: number) => "ü".repeat(n);
const encodingOf = (text: string, allow8bit: boolean) => encodeText(text, allow8bit).encoding;

/**
 * The rule, written plainly: 7bit for printable ASCII (and TAB) in lines of at most 998
 * characters; else 8bit, when allowed, for text without controls whose lines fit in 998
 * octets; else quoted-printable. Line breaks of any kind count as one CRLF.
 */
function expectedEncoding(text: string, allow8bit: boolean): string {
  const lines = text.split(/\r\n|\r|\n/);
  const controls = lines.some((line) => /[\x00-\x08\x0a-\x1f\x7f]/.test(line));
  const ascii = lines.every((line) => /^[\x00-\x7f]*$/.test(line));
  if (!controls && ascii && lines.every((line) => line.length <= 998)) return "7bit";
  const fits = lines.every((line) => new TextEncoder().encode(line).length <= 998);
  if (!controls && allow8bit && fits) return "8bit";
  return "quoted-printable";
}

describe("a text body's transfer encoding", () => {
  it("7bit: every ASCII line is measured, not the text, up to 998 characters each", () => {
    expect(encodingOf(`${x(600)}\n${x(600)}`, false)).toBe("7bit");
    expect(encodingOf(`${x(500)}\n${x(600)}\n${x(1)}`, false)).toBe("7bit");
    expect(encodingOf(`\n${x(998)}`, false)).toBe("7bit");
    expect(encodingOf(`\n${x(999)}`, false)).toBe("quoted-printable");
    expect(encodingOf(`${x(1)}\n${x(998)}\n${x(1)}`, false)).toBe("7bit");
    expect(encodingOf(`${x(1)}\n${x(999)}\n${x(1)}`, false)).toBe("quoted-printable");
    expect(encodingOf(`${x(1)}\r\n${x(998)}`, true)).toBe("7bit");
    expect(encodingOf(`${x(1)}\r\n${x(999)}`, true)).toBe("quoted-printable");
  });

  it("7bit text is sent as it is, line ends CRLF, and kept for the boundary check", () => {
    const encoded = encodeText("a\rb\nc\r\n\td ~", false);
    expect(encoded).toEqual({
      encoding: "7bit",
      body: { text: "a\r\nb\r\nc\r\n\td ~", octets: 13 },
      raw: "a\r\nb\r\nc\r\n\td ~",
      plain: true,
    });
  });

  it("8bit: every line of UTF-8 is measured in octets, up to 998 each", () => {
    expect(encodingOf(u(499), true)).toBe("8bit");
    expect(encodingOf(`${u(499)}x`, true)).toBe("quoted-printable");
    expect(encodingOf(`${u(300)}\n${u(300)}`, true)).toBe("8bit");
    expect(encodingOf(`${u(200)}\n${u(300)}\n${u(1)}`, true)).toBe("8bit");
    expect(encodingOf(`${u(500)}\nx`, true)).toBe("quoted-printable");
    expect(encodingOf(`${u(1)}\n${u(499)}`, true)).toBe("8bit");
    expect(encodingOf(`${u(1)}\n${u(499)}x`, true)).toBe("quoted-printable");
    expect(encodingOf(`\n${u(499)}\n`, true)).toBe("8bit");
  });

  it("8bit text is sent as its UTF-8, line ends CRLF, and kept for the boundary check", () => {
    const encoded = encodeText("grüße\nx", true);
    expect(encoded).toEqual({
      encoding: "8bit",
      body: { text: "grüße\r\nx", octets: 10 },
      raw: "grüße\r\nx",
      plain: false,
    });
  });

  it("controls (but TAB and line breaks) need quoted-printable, 8-bit allowed or not", () => {
    for (const c of ["\u0000", "\u0008", "\u000b", "\u000c", "\u000e", "\u001f", "\u007f"]) {
      expect(encodingOf(`ü${c}`, true), JSON.stringify(c)).toBe("quoted-printable");
      expect(encodingOf(`a${c}`, true), JSON.stringify(c)).toBe("quoted-printable");
    }
    for (const c of ["\t", " ", "~", "\r", "\n", "\r\n", "\u0080", "\u00a0"]) {
      expect(encodingOf(`ü${c}x`, true), JSON.stringify(c)).toBe("8bit");
    }
    expect(encodeText("a\u0000b", true)).toEqual({
      encoding: "quoted-printable",
      body: new TextEncoder().encode("a=00b"),
      raw: undefined,
      plain: false,
    });
  });

  it("non-ASCII text without 8BITMIME is quoted-printable", () => {
    expect(encodeText("grüße", false)).toEqual({
      encoding: "quoted-printable",
      body: new TextEncoder().encode("gr=C3=BC=C3=9Fe"),
      raw: undefined,
      plain: false,
    });
  });

  it("follows the rule for any mix of ASCII, UTF-8, controls, line breaks and long lines", () => {
    const piece = fc.constantFrom(
      "a",
      " ",
      "\t",
      "ü",
      "€",
      "😀",
      "\n",
      "\r",
      "\r\n",
      "\u0000",
      "\u001b",
      "\u007f",
      x(497),
      u(248),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), fc.boolean(), (pieces, allow8bit) => {
        const text = pieces.join("");
        const encoded = encodeText(text, allow8bit);
        expect(encoded.encoding).toBe(expectedEncoding(text, allow8bit));
        const normalized = text.replace(/\r\n|\r|\n/g, "\r\n");
        if (encoded.encoding !== "quoted-printable") {
          expect(encoded.raw).toBe(normalized);
          const octets = new TextEncoder().encode(normalized).length;
          expect(encoded.body).toEqual({ text: normalized, octets });
        } else expect(encoded.raw).toBeUndefined();
      }),
      { numRuns: 1000 },
    );
  });

  it("scans texts of up to 65,535 octets of UTF-8 room in a reused buffer: encodings stay apart, at and past the size", () => {
    // The room is 3 octets per code unit: 21,845 units fit in 65,535 octets, 21,846 do not.
    const qp = (text: string) => encodeQuotedPrintable(new TextEncoder().encode(text));
    /** `units` code units of plain ASCII in CRLF lines of 60. */
    const plainOf = (units: number) => {
      const lines = Math.floor(units / 60);
      return `${"a".repeat(58)}\r\n`.repeat(lines) + "b".repeat(units - 60 * lines);
    };
    for (const units of [21_844, 21_845, 21_846]) {
      const accentedText = "ü".repeat(units);
      const accented = encodeText(accentedText, false);
      expect(accented.encoding, `${units}`).toBe("quoted-printable");
      expect(accented.body, `${units}`).toEqual(qp(accentedText));
      // A plain text scanned after it (in the same buffer, when it fits) is its own.
      const plain = encodeText(plainOf(units), false);
      expect(plain.encoding, `${units}`).toBe("7bit");
      expect(plain.body, `${units}`).toEqual({ text: plainOf(units), octets: units });
      // And the first one's bytes were not overwritten by the second scan.
      expect(accented.body, `${units}`).toEqual(qp(accentedText));
    }
  });
});
