// What every runtime the client runs on has (Node.js, Deno, Bun, Cloudflare Workers): the
// Web Crypto API and a monotonic clock.

/** Random bytes not handed out yet live in `RANDOM_POOL[poolOffset…]`. */
const RANDOM_POOL = new Uint8Array(4096);
/** Starts empty: the first request fills the pool. */
let poolOffset = RANDOM_POOL.length;
/** Requests up to this size are served from the pool. */
const POOL_TAKE_MAX = 256;

/**
 * Cryptographically strong random bytes from the Web Crypto API, present in Node.js 20,
 * Deno and Bun.
 *
 * @since 0.1.0
 */
export function randomBytes(length: number): Uint8Array {
  // Small requests (a Message-ID, a boundary: every message makes one or more) come from a
  // pool filled 4 KiB at a time, each byte handed out once: one getRandomValues call per
  // few hundred messages instead of one per message, which cost ~10 µs each in Node 20.
  if (length <= POOL_TAKE_MAX) {
    if (poolOffset + length > RANDOM_POOL.length) {
      globalThis.crypto.getRandomValues(RANDOM_POOL);
      poolOffset = 0;
    }
    const bytes = RANDOM_POOL.slice(poolOffset, poolOffset + length);
    poolOffset += length;
    return bytes;
  }
  const bytes = new Uint8Array(length);
  // getRandomValues fills at most 65536 bytes per call.
  for (let offset = 0; offset < length; offset += 65_536) {
    globalThis.crypto.getRandomValues(bytes.subarray(offset, Math.min(length, offset + 65_536)));
  }
  return bytes;
}

/** A monotonic clock in milliseconds. @since 0.1.0 */
export function monotonicNow(): number {
  return globalThis.performance.now();
}
