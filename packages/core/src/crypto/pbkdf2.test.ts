import { pbkdf2Sync } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MD5 } from "./md5.ts";
import { pbkdf2 } from "./pbkdf2.ts";
import { SHA256 } from "./sha256.ts";

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");
const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

describe("pbkdf2", () => {
  // The PBKDF2-HMAC-SHA-256 vectors of RFC 7914 §11.
  it("matches the RFC 7914 vectors", () => {
    expect(hex(pbkdf2(SHA256, ascii("passwd"), ascii("salt"), 1, 64))).toBe(
      "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc" +
        "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783",
    );
    expect(hex(pbkdf2(SHA256, ascii("Password"), ascii("NaCl"), 80000, 64))).toBe(
      "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56" +
        "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d",
    );
  });

  it("matches node:crypto for random passwords, salts, counts and lengths", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 80 }),
        fc.uint8Array({ maxLength: 80 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 100 }),
        (password, salt, iterations, length) => {
          expect(hex(pbkdf2(SHA256, password, salt, iterations, length))).toBe(
            pbkdf2Sync(password, salt, iterations, length, "sha256").toString("hex"),
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it("works over another hash", () => {
    expect(hex(pbkdf2(MD5, ascii("pw"), ascii("salt"), 3, 40))).toBe(
      pbkdf2Sync("pw", "salt", 3, 40, "md5").toString("hex"),
    );
  });

  it("refuses counts and lengths that are not positive integers", () => {
    const call = (iterations: number, length: number) => () =>
      pbkdf2(SHA256, ascii("p"), ascii("s"), iterations, length);
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(call(bad, 32)).toThrow(new RangeError("PBKDF2 iterations must be a positive integer"));
      expect(call(1, bad)).toThrow(new RangeError("PBKDF2 length must be a positive integer"));
    }
  });
});
