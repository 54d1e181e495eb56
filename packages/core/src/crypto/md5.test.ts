import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MD5, md5 } from "./md5.ts";

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");
const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);
/** Lengths around the 64-byte block and the 56-byte padding boundary. */
const BOUNDARY_LENGTHS = [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000];

describe("md5", () => {
  it("matches the RFC 1321 test suite", () => {
    const suite: [string, string][] = [
      ["", "d41d8cd98f00b204e9800998ecf8427e"],
      ["a", "0cc175b9c0f1b6a831c399e269772661"],
      ["abc", "900150983cd24fb0d6963f7d28e17f72"],
      ["message digest", "f96b697d7cb7938d525a2f31aaf161d0"],
      ["abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"],
      [
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        "d174ab98d277d9f5a5611c2c9f419d9f",
      ],
      [
        "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
        "57edf4a22be3c955ac49da2e2107b67a",
      ],
    ];
    for (const [input, digest] of suite) expect(hex(md5(ascii(input)))).toBe(digest);
  });

  it("matches the one-million-'a' digest", () => {
    expect(hex(md5(ascii("a".repeat(1_000_000))))).toBe("7707d6ae4e027c70eea2a935c2296f21");
  });

  it.each(BOUNDARY_LENGTHS)("matches node:crypto for %i bytes", (length) => {
    const data = Uint8Array.from({ length }, (_, i) => (i * 131 + 17) & 255);
    expect(hex(md5(data))).toBe(createHash("md5").update(data).digest("hex"));
  });

  it("matches node:crypto for random inputs", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
        expect(hex(md5(data))).toBe(createHash("md5").update(data).digest("hex"));
      }),
      { numRuns: 300 },
    );
  });

  it("gives the same digest however the input is split across updates", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(300)), (data, cuts) => {
        const state = MD5.create();
        let from = 0;
        for (const cut of [...cuts].sort((a, b) => a - b)) {
          const to = Math.max(from, Math.min(cut, data.length));
          state.update(data.subarray(from, to));
          from = to;
        }
        state.update(data.subarray(from));
        expect(hex(state.digest())).toBe(hex(md5(data)));
      }),
      { numRuns: 100 },
    );
  });

  it("clones a state so both copies continue independently", () => {
    const prefix = ascii("x".repeat(70));
    const state = MD5.create().update(prefix);
    const copy = state.clone();
    state.update(ascii("one"));
    copy.update(ascii("two"));
    expect(hex(state.digest())).toBe(createHash("md5").update(prefix).update("one").digest("hex"));
    expect(hex(copy.digest())).toBe(createHash("md5").update(prefix).update("two").digest("hex"));
  });

  it("describes itself", () => {
    expect(MD5).toMatchObject({ name: "MD5", blockLength: 64, outputLength: 16 });
    expect(md5(new Uint8Array(3))).toHaveLength(16);
  });
});
