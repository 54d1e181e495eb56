import type { HashAlgorithm, HashState } from "./hash.ts";

/**
 * HMAC (RFC 2104) with a fixed key: the keyed inner and outer prefixes are hashed once, so
 * each message costs only its own blocks plus one outer block. PBKDF2 relies on this.
 *
 * @since 0.1.0
 */
export interface KeyedHmac {
  /** The hash the MAC is built on. */
  readonly hash: HashAlgorithm;
  /** The MAC of `message` under the key (the hash's output length). */
  mac(message: Uint8Array): Uint8Array;
}

/**
 * Prepares HMAC with `hash` under `key` (RFC 2104): keys longer than the hash's block are
 * hashed first, shorter ones zero-padded.
 *
 * @param hash - the hash function, e.g. {@link SHA256} or {@link MD5}.
 * @param key - the secret key, any length.
 * @since 0.1.0
 */
export function createHmac(hash: HashAlgorithm, key: Uint8Array): KeyedHmac {
  const block = new Uint8Array(hash.blockLength);
  block.set(key.length > hash.blockLength ? hash.create().update(key).digest() : key);
  const pad = new Uint8Array(hash.blockLength);
  for (let i = 0; i < pad.length; i++) pad[i] = block[i]! ^ 0x36;
  const inner: HashState = hash.create().update(pad);
  for (let i = 0; i < pad.length; i++) pad[i] = block[i]! ^ 0x5c;
  const outer: HashState = hash.create().update(pad);
  // Two working states reused for every message: PBKDF2 calls mac() hundreds of thousands
  // of times, and allocating fresh states each time would double its cost.
  const work = hash.create();
  return {
    hash,
    mac(message) {
      const innerDigest = work.copyFrom(inner).update(message).digest();
      return work.copyFrom(outer).update(innerDigest).digest();
    },
  };
}

/**
 * HMAC of `message` with `hash` under `key` (RFC 2104), in one call.
 *
 * @since 0.1.0
 */
export function hmac(hash: HashAlgorithm, key: Uint8Array, message: Uint8Array): Uint8Array {
  return createHmac(hash, key).mac(message);
}
