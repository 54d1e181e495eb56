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
