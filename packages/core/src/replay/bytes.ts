// Small byte helpers for the replay runner (platform-free: plain Uint8Array only).

const encoder = new TextEncoder();

/** UTF-8 bytes of a string. @since 0.1.0 */
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

/** Whether two byte arrays hold the same bytes. @since 0.1.0 */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Index of the first differing byte, or -1 when equal. @since 0.1.0 */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/**
 * Shows bytes as readable text: printable ASCII as is, everything else escaped
 * (`\r`, `\n`, `\t`, `\xNN`), one wire line per output line.
 *
 * @since 0.1.0
 */
export function showBytes(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) {
    if (byte === 0x0d) out += "\\r";
    else if (byte === 0x0a) out += "\\n\n";
    else if (byte === 0x09) out += "\\t";
    else if (byte === 0x5c) out += "\\\\";
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\x${byte.toString(16).padStart(2, "0")}`;
  }
  return out;
}
