import { BlockHash } from "./block-hash.ts";
import type { HashAlgorithm } from "./hash.ts";

// MD5 (RFC 1321) exists here only for CRAM-MD5's HMAC-MD5: it is broken for collision
// resistance, but HMAC-MD5 as a challenge-response is what RFC 2195 specifies.

/** Per-step left-rotation amounts (RFC 1321 §3.4). */
const SHIFTS = [
  7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14,
  20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6,
  10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
];

/**
 * T[i] = floor(abs(sin(i + 1)) * 2^32) (RFC 1321 §3.4), typed out rather than computed:
 * `Math.sin` is not required to be correctly rounded, and every runtime must agree.
 */
const SINES = Int32Array.from([
  0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
  0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
  0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
  0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
  0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
  0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
  0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
  0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
]);

const INITIAL = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];

/** The block as 16 words: scratch space shared by every state (compression never re-enters). */
const WORDS = new Int32Array(16);

class Md5State extends BlockHash {
  constructor() {
    super(INITIAL, true);
  }

  protected blank(): Md5State {
    return new Md5State();
  }

  protected compress(b8: Uint8Array, offset: number): void {
    const x = WORDS;
    for (let i = 0; i < 16; i++) {
      const j = offset + i * 4;
      x[i] = b8[j]! | (b8[j + 1]! << 8) | (b8[j + 2]! << 16) | (b8[j + 3]! << 24);
    }
    const s = this.state;
    let a = s[0]!;
    let b = s[1]!;
    let c = s[2]!;
    let d = s[3]!;
    for (let i = 0; i < 64; i++) {
      let f: number;
      let g: number;
      if (i < 16) {
        f = (b & c) | (~b & d);
        g = i;
      } else if (i < 32) {
        f = (d & b) | (~d & c);
        g = (5 * i + 1) & 15;
      } else if (i < 48) {
        f = b ^ c ^ d;
        g = (3 * i + 5) & 15;
      } else {
        f = c ^ (b | ~d);
        g = (7 * i) & 15;
      }
      const sum = (a + f + SINES[i]! + x[g]!) | 0;
      const shift = SHIFTS[i]!;
      a = d;
      d = c;
      c = b;
      b = (b + ((sum << shift) | (sum >>> (32 - shift)))) | 0;
    }
    s[0] = s[0]! + a;
    s[1] = s[1]! + b;
    s[2] = s[2]! + c;
    s[3] = s[3]! + d;
  }
}

/**
 * MD5 (RFC 1321), for HMAC-MD5 in CRAM-MD5 only. Not for anything that needs collision
 * resistance.
 *
 * @since 0.1.0
 */
export const MD5: HashAlgorithm = {
  name: "MD5",
  blockLength: 64,
  outputLength: 16,
  create: () => new Md5State(),
};

/**
 * The MD5 digest of `data` (16 bytes).
 *
 * @since 0.1.0
 */
export function md5(data: Uint8Array): Uint8Array {
  return MD5.create().update(data).digest();
}
