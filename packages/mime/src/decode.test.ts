import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDataUrl } from "./data-url.ts";
import { decodeBase64Text, decodeContent, decodeHexText, toContentEncoding } from "./decode.ts";
import { MimeError } from "./errors.ts";

const WHITE = [" ", "\t", "\r", "\n", "\f"];

/** Inserts white space at random places. */
function sprinkle(text: string, cuts: number[], spaces: string[]): string {
  let out = text;
  cuts.forEach((cut, i) => {
    const at = cut % (out.length + 1);
    out = out.slice(0, at) + spaces[i % spaces.length]! + out.slice(at);
  });
  return out;
}

function outcome(f: () => Uint8Array): Uint8Array | "refused" {
  try {
    return f();
  } catch (error) {
    expect(error).toBeInstanceOf(MimeError);
    return "refused";
  }
}

describe("base64 decoding", () => {
  it("gives back any bytes, with white space anywhere and with or without padding", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.subarray(WHITE, { minLength: 1 }),
        fc.boolean(),
        (bytes, cuts, spaces, unpadded) => {
          let text = Buffer.from(bytes).toString("base64");
          if (unpadded) text = text.replace(/=+$/, "");
          const decoded = decodeBase64Text("f", sprinkle(text, cuts, spaces));
          expect(Buffer.from(decoded).equals(Buffer.from(bytes))).toBe(true);
        },
      ),
    );
  });

  it("accepts exactly the well-formed strings, and then agrees with the platform", () => {
    const alphabet = fc.constantFrom(..."AZaz09+/=-_ \n*é".split(""), "QQ", "QUI", "====");
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 40 }).map((a) => a.join("")),
        (text) => {
          const result = outcome(() => decodeBase64Text("f", text));
          const stripped = text.replace(/[ \t\r\n\f]/g, "");
          const data = stripped.replace(/=+$/, "");
          const padding = stripped.length - data.length;
          const wellFormed =
            /^[A-Za-z0-9+/]*$/.test(data) &&
            data.length % 4 !== 1 &&
            (padding === 0 || (data.length % 4 !== 0 && padding === 4 - (data.length % 4)));
          if (!wellFormed) expect(result).toBe("refused");
          else expect(Buffer.from(result as Uint8Array)).toEqual(Buffer.from(data, "base64"));
        },
      ),
    );
  });

  it("names the problem", () => {
    // U+0080, the first code point past the table of ASCII values.
    expect(() => decodeBase64Text("f", "QQ\u0080=")).toThrow(
      "f: not base64: invalid character at index 2",
    );
    expect(() => decodeBase64Text("a.content", "QUJD*")).toThrow(
      /a\.content: not base64: invalid character at index 4/,
    );
    expect(() => decodeBase64Text("f", "QQ==QQ")).toThrow(/data after "="/);
    expect(() => decodeBase64Text("f", "QUJDR")).toThrow(/lone final character/);
    expect(() => decodeBase64Text("f", "QUJD=")).toThrow(/wrong padding/);
    expect(() => decodeBase64Text("f", "QQ=")).toThrow(/wrong padding/);
    expect(decodeBase64Text("f", "")).toEqual(new Uint8Array(0));
  });
});

describe("hex decoding", () => {
  it("gives back any bytes in either case, with white space between octets", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.boolean(),
        fc.boolean(),
        (bytes, upper, spaced) => {
          let text = Buffer.from(bytes).toString("hex");
          if (upper) text = text.toUpperCase();
          if (spaced) text = text.replace(/../g, "$& ");
          expect(Buffer.from(decodeHexText("f", text)).equals(Buffer.from(bytes))).toBe(true);
        },
      ),
    );
  });

  it("accepts exactly pairs of hex digits separated by white space", () => {
    const alphabet = fc.constantFrom(..."09afAFgx \n".split(""), "ff");
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 30 }).map((a) => a.join("")),
        (text) => {
          const result = outcome(() => decodeHexText("f", text));
          const wellFormed = /^(?:[ \t\r\n\f]*[0-9A-Fa-f]{2})*[ \t\r\n\f]*$/.test(text);
          if (!wellFormed) expect(result).toBe("refused");
          else
            expect(Buffer.from(result as Uint8Array)).toEqual(
              Buffer.from(text.replace(/\s/g, ""), "hex"),
            );
        },
      ),
    );
  });

  it("refuses an odd digit count and other characters", () => {
    expect(() => decodeHexText("f", "abc")).toThrow(/odd number of digits/);
    expect(() => decodeHexText("f", "a b")).toThrow(/invalid character at index 1/);
    expect(() => decodeHexText("f", "zz")).toThrow(/invalid character at index 0/);
    // The neighbours of 0-9, a-f and A-F.
    for (const bad of ["/0", ":0", "`0", "g0", "@0", "G0"]) {
      expect(() => decodeHexText("f", bad), bad).toThrow(
        "f: not hex: invalid character at index 0",
      );
    }
    expect(decodeHexText("f", "09afAF")).toEqual(Uint8Array.of(0x09, 0xaf, 0xaf));
  });
});

describe("binary (latin1) and utf-8", () => {
  it("maps U+0000–U+00FF to one octet each and refuses anything above", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 50 }), (text) => {
        const result = outcome(() => decodeContent("f", text, "binary"));
        if ([...text].some((c) => c.charCodeAt(0) > 0xff)) expect(result).toBe("refused");
        else expect(Buffer.from(result as Uint8Array)).toEqual(Buffer.from(text, "latin1"));
      }),
    );
    // At, just under and just over the limit.
    expect(decodeContent("f", "\u00fe\u00ff", "latin1")).toEqual(Uint8Array.of(0xfe, 0xff));
    expect(() => decodeContent("f", "a\u0100", "binary")).toThrow(/above U\+00FF at index 1/);
    expect(decodeContent("f", "ü", "utf8")).toEqual(Uint8Array.of(0xc3, 0xbc));
  });

  it("knows the encodings by name", () => {
    expect(toContentEncoding("e", "hex")).toBe("hex");
    expect(toContentEncoding("e", undefined)).toBeUndefined();
    expect(() => toContentEncoding("a.encoding", "base-64")).toThrow(/a\.encoding: must be one of/);
    expect(() => toContentEncoding("e", 1)).toThrow(MimeError);
    for (const name of ["base64", "hex", "binary", "latin1", "utf-8", "utf8"]) {
      expect(toContentEncoding("e", name)).toBe(name);
    }
    expect(() => toContentEncoding("e", "UTF-8")).toThrow(
      'e: must be one of "base64", "hex", "binary", "latin1", "utf-8", "utf8"',
    );
    expect(decodeContent("f", "ü", "utf-8")).toEqual(Uint8Array.of(0xc3, 0xbc));
    expect(decodeContent("f", "\u00ff", "latin1")).toEqual(Uint8Array.of(0xff));
  });
});

describe("data: URLs", () => {
  it("decode base64 and percent-encoded data, with the media type", () => {
    expect(parseDataUrl("p", "data:image/png;base64,iVBORw==")).toEqual({
      mediaType: "image/png",
      bytes: Uint8Array.from(Buffer.from("iVBORw==", "base64")),
    });
    expect(parseDataUrl("p", "data:,a%20b%E2%9C%93")).toEqual({
      mediaType: undefined,
      bytes: Uint8Array.from(Buffer.from("a b✓")),
    });
    expect(parseDataUrl("p", "data:text/plain,ü").bytes).toEqual(Uint8Array.of(0xc3, 0xbc));
  });

  it("round-trip any bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.boolean(), (bytes, b64) => {
        const url = b64
          ? `data:application/octet-stream;base64,${Buffer.from(bytes).toString("base64")}`
          : `data:application/octet-stream,${[...bytes].map((b) => `%${b.toString(16).padStart(2, "0")}`).join("")}`;
        expect(Buffer.from(parseDataUrl("p", url).bytes).equals(Buffer.from(bytes))).toBe(true);
      }),
    );
  });

  it("refuse what is not one", () => {
    expect(() => parseDataUrl("p", "data:text/plain")).toThrow(/not a data URL/);
    expect(() => parseDataUrl("p", "data:,%zz")).toThrow(/bad "%" escape at index 0/);
    expect(() => parseDataUrl("p", "data:;base64,***")).toThrow(/not base64/);
  });
});
