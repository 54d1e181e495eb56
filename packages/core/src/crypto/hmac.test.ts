import { createHmac as nodeHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createHmac, hmac } from "./hmac.ts";
import { MD5 } from "./md5.ts";
import { SHA256 } from "./sha256.ts";

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");
const fromHex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, "hex"));
const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

describe("hmac", () => {
  // RFC 4231 test cases 1, 2, 6 and 7 (keys shorter than, and longer than, the block).
  it("matches RFC 4231 for HMAC-SHA-256", () => {
    expect(hex(hmac(SHA256, fromHex("0b".repeat(20)), ascii("Hi There")))).toBe(
      "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
    );
    expect(hex(hmac(SHA256, ascii("Jefe"), ascii("what do ya want for nothing?")))).toBe(
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
    expect(
      hex(
        hmac(
          SHA256,
          fromHex("aa".repeat(131)),
          ascii("Test Using Larger Than Block-Size Key - Hash Key First"),
        ),
      ),
    ).toBe("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    expect(
      hex(
        hmac(
          SHA256,
          fromHex("aa".repeat(131)),
          ascii(
            "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.",
          ),
        ),
      ),
    ).toBe("9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
  });

  // RFC 2202 test cases 1, 2 and 6.
  it("matches RFC 2202 for HMAC-MD5", () => {
    expect(hex(hmac(MD5, fromHex("0b".repeat(16)), ascii("Hi There")))).toBe(
      "9294727a3638bb1c13f48ef8158bfc9d",
    );
    expect(hex(hmac(MD5, ascii("Jefe"), ascii("what do ya want for nothing?")))).toBe(
      "750c783e6ab0b503eaa86e310a5db738",
    );
    expect(
      hex(
        hmac(
          MD5,
          fromHex("aa".repeat(80)),
          ascii("Test Using Larger Than Block-Size Key - Hash Key First"),
        ),
      ),
    ).toBe("6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd");
  });

  it("matches node:crypto for random keys and messages, both hashes", () => {
    fc.assert(
      fc.property(
        fc.constantFrom({ ours: SHA256, node: "sha256" }, { ours: MD5, node: "md5" }),
        fc.uint8Array({ maxLength: 200 }),
        fc.uint8Array({ maxLength: 200 }),
        (hash, key, message) => {
          expect(hex(hmac(hash.ours, key, message))).toBe(
            nodeHmac(hash.node, key).update(message).digest("hex"),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it.each([0, 1, 63, 64, 65, 128])("matches node:crypto with a %i-byte key", (length) => {
    const key = Uint8Array.from({ length }, (_, i) => i * 7);
    expect(hex(hmac(SHA256, key, ascii("message")))).toBe(
      nodeHmac("sha256", key).update("message").digest("hex"),
    );
  });

  it("reuses one keyed instance for many messages", () => {
    const keyed = createHmac(SHA256, ascii("key"));
    expect(keyed.hash).toBe(SHA256);
    for (const message of ["a", "b", "a"]) {
      expect(hex(keyed.mac(ascii(message)))).toBe(
        nodeHmac("sha256", "key").update(message).digest("hex"),
      );
    }
  });
});
