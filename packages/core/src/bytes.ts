// Byte helpers shared by the engine, SASL and the replay tooling (platform-free: plain
// Uint8Array only). One TextEncoder for the whole package: encoding is on the hot path.

const encoder = new TextEncoder();

/** UTF-8 bytes of a string (lone surrogates become U+FFFD). @since 0.1.0 */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Joins byte arrays into one. @since 0.1.0 */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
