import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MD5 } from "./md5.ts";
import { SHA256, sha256 } from "./sha256.ts";

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");
const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);
/** Lengths around the 64-byte block and the 56-byte padding boundary. */
const BOUNDARY_LENGTHS = [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000];

describe("sha256", () => {
  it("matches the FIPS 180-4 examples", () => {
    expect(hex(sha256(ascii("")))).toBe(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
    expect(hex(sha256(ascii("abc")))).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    expect(hex(sha256(ascii("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")))).toBe(
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    );
  });

  it("matches the one-million-'a' example fed in uneven pieces", () => {
    const state = SHA256.create();
    const piece = ascii("a".repeat(999));
    let left = 1_000_000;
    while (left > 0) {
      const take = Math.min(left, piece.length);
      state.update(piece.subarray(0, take));
      left -= take;
    }
    expect(hex(state.digest())).toBe(
      "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
    );
  });

  it.each(BOUNDARY_LENGTHS)("matches node:crypto for %i bytes", (length) => {
    const data = Uint8Array.from({ length }, (_, i) => (i * 131 + 17) & 255);
    expect(hex(sha256(data))).toBe(createHash("sha256").update(data).digest("hex"));
  });

  it("matches node:crypto for random inputs", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
        expect(hex(sha256(data))).toBe(createHash("sha256").update(data).digest("hex"));
      }),
      { numRuns: 300 },
    );
  });

  it("gives the same digest however the input is split across updates", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(300)), (data, cuts) => {
        const state = SHA256.create();
        let from = 0;
        for (const cut of [...cuts].sort((a, b) => a - b)) {
          const to = Math.max(from, Math.min(cut, data.length));
          state.update(data.subarray(from, to));
          from = to;
        }
        state.update(data.subarray(from));
        expect(hex(state.digest())).toBe(hex(sha256(data)));
      }),
      { numRuns: 100 },
    );
  });

  it("clones a state so both copies continue independently", () => {
    const prefix = ascii("x".repeat(70));
    const state = SHA256.create().update(prefix);
    const copy = state.clone();
    state.update(ascii("one"));
    copy.update(ascii("two"));
    expect(hex(state.digest())).toBe(
      createHash("sha256").update(prefix).update("one").digest("hex"),
    );
    expect(hex(copy.digest())).toBe(
      createHash("sha256").update(prefix).update("two").digest("hex"),
    );
  });

  it("copies a state into another one, finished or not", () => {
    const prefix = ascii("y".repeat(100));
    const source = SHA256.create().update(prefix);
    const target = SHA256.create();
    target.update(ascii("junk")).digest();
    expect(hex(target.copyFrom(source).update(ascii("z")).digest())).toBe(
      createHash("sha256").update(prefix).update("z").digest("hex"),
    );
    // The source is unaffected and still usable.
    expect(hex(source.digest())).toBe(createHash("sha256").update(prefix).digest("hex"));
    expect(() => target.copyFrom(source)).toThrow("already finished");
  });

  it("refuses to copy a state of another algorithm", () => {
    const different = new TypeError("hash states of different algorithms");
    expect(() => SHA256.create().copyFrom(MD5.create())).toThrow(different);
    expect(() => MD5.create().copyFrom(SHA256.create())).toThrow(different);
  });

  it("refuses to be used after its digest", () => {
    const state = SHA256.create();
    state.digest();
    expect(() => state.update(new Uint8Array(1))).toThrow("already finished");
    expect(() => state.digest()).toThrow("already finished");
    expect(() => state.clone()).toThrow("already finished");
  });

  it("describes itself", () => {
    expect(SHA256).toMatchObject({ name: "SHA-256", blockLength: 64, outputLength: 32 });
  });
});
