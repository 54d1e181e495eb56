import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeBase64, encodeBase64 } from "./base64.ts";
import { SmtpError } from "./errors.ts";

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

describe("encodeBase64", () => {
  it("encodes the RFC 4648 §10 vectors", () => {
    const vectors: [string, string][] = [
      ["", ""],
      ["f", "Zg=="],
      ["fo", "Zm8="],
      ["foo", "Zm9v"],
      ["foob", "Zm9vYg=="],
      ["fooba", "Zm9vYmE="],
      ["foobar", "Zm9vYmFy"],
    ];
    for (const [plain, encoded] of vectors) {
      expect(encodeBase64(ascii(plain))).toBe(encoded);
      expect(decodeBase64(encoded)).toEqual(ascii(plain));
    }
  });

  it("uses + and / (not the URL alphabet)", () => {
    expect(encodeBase64(new Uint8Array([0xfb, 0xff, 0xbf]))).toBe("+/+/");
  });

  it("matches Buffer for random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(encodeBase64(bytes)).toBe(Buffer.from(bytes).toString("base64"));
      }),
      { numRuns: 300 },
    );
  });
});

describe("decodeBase64", () => {
  it("round-trips random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(decodeBase64(encodeBase64(bytes))).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it("decodes the SMTP AUTH LOGIN prompts", () => {
    expect(new TextDecoder().decode(decodeBase64("VXNlcm5hbWU6"))).toBe("Username:");
    expect(new TextDecoder().decode(decodeBase64("UGFzc3dvcmQ6"))).toBe("Password:");
  });

  const invalid: [string, string][] = [
    ["a length that is not a multiple of four", "Zm9"],
    ["a missing padding", "Zg"],
    ["whitespace", "Zm9v Zm9v"],
    ["a line break", "Zm9v\r\nZm9v"],
    ["a URL-alphabet character", "Zm9-"],
    ["a non-ASCII character", "Zm9é"],
    ["U+0080, the first character past ASCII", "Zm9\u0080"],
    ["U+0080 first", "\u0080AAA"],
    ["DEL, the last ASCII character", "Zm9\u007f"],
    ["padding in the middle", "Zg==Zm9v"],
    ["padding too early in the last quantum", "Z=g="],
    ["three padding characters", "Z==="],
    ["only padding", "===="],
    ["non-zero bits under one pad", "Zm9="],
    ["non-zero bits under two pads", "Zh=="],
    ["a stray character before the pads", "Z*=="],
    ["a stray character in a padded triple", "Z*9="],
  ];
  it.each(invalid)("rejects %s", (_, text) => {
    let thrown: unknown;
    try {
      decodeBase64(text);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SmtpError);
    expect(thrown).toMatchObject({
      kind: "protocol",
      detail: "bad-base64",
      message: "invalid base64",
      retryable: false,
    });
    // The text may be a SASL payload: it must never be quoted.
    expect((thrown as SmtpError).message).not.toContain(text);
  });

  it("accepts exactly the canonical encodings (encode ∘ decode is the identity)", () => {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=- ";
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 16 }), (text) => {
        let decoded: Uint8Array | undefined;
        try {
          decoded = decodeBase64(text);
        } catch (error) {
          expect(error).toBeInstanceOf(SmtpError);
          // Whatever is refused is indeed not what a canonical encoder produces.
          expect(Buffer.from(Buffer.from(text, "base64").toString("base64")).toString()).not.toBe(
            text,
          );
          return;
        }
        expect(encodeBase64(decoded)).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });
});
