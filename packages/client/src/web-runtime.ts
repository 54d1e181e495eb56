// What every runtime the client runs on has (Node.js, Deno, Bun, Cloudflare Workers): the
// Web Crypto API and a monotonic clock.

/**
 * Cryptographically strong random bytes from the Web Crypto API, present in Node.js 20,
 * Deno and Bun.
 *
 * @since 0.1.0
 */
export function randomBytes(length: number): Uint8Array {
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
