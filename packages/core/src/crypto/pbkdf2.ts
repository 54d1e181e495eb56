import type { HashAlgorithm } from "./hash.ts";
import { createHmac } from "./hmac.ts";

/**
 * PBKDF2 (RFC 8018 §5.2) with HMAC over `hash` as the pseudo-random function, as SCRAM's
 * `Hi()` (RFC 5802 §2.2) uses it.
 *
 * It runs synchronously, about `iterations` × 2 compressions per output block: the caller
 * bounds `iterations` (SCRAM refuses counts a server could use to stall the client).
 *
 * @param hash - the hash under HMAC, e.g. {@link SHA256}.
 * @param password - the password bytes (the HMAC key).
 * @param salt - the salt bytes.
 * @param iterations - the iteration count, at least 1.
 * @param length - the derived key's length in bytes, at least 1.
 * @throws RangeError when `iterations` or `length` is not a positive safe integer.
 * @since 0.1.0
 */
export function pbkdf2(
  hash: HashAlgorithm,
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
  length: number,
): Uint8Array {
  if (!Number.isSafeInteger(iterations) || iterations < 1) {
    throw new RangeError("PBKDF2 iterations must be a positive integer");
  }
  if (!Number.isSafeInteger(length) || length < 1) {
    throw new RangeError("PBKDF2 length must be a positive integer");
  }
  const prf = createHmac(hash, password);
  const hLen = hash.outputLength;
  const out = new Uint8Array(length);
  const saltAndIndex = new Uint8Array(salt.length + 4);
  saltAndIndex.set(salt);
  for (let blockIndex = 1, offset = 0; offset < length; blockIndex++, offset += hLen) {
    // INT(i): the block index as a 32-bit big-endian integer after the salt.
    saltAndIndex[salt.length] = blockIndex >>> 24;
    saltAndIndex[salt.length + 1] = blockIndex >>> 16;
    saltAndIndex[salt.length + 2] = blockIndex >>> 8;
    saltAndIndex[salt.length + 3] = blockIndex;
    let u = prf.mac(saltAndIndex);
    const t = u.slice();
    for (let i = 1; i < iterations; i++) {
      u = prf.mac(u);
      for (let j = 0; j < hLen; j++) t[j]! ^= u[j]!;
    }
    out.set(t.subarray(0, Math.min(hLen, length - offset)), offset);
  }
  return out;
}
