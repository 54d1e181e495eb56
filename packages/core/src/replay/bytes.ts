// Byte helpers for comparing and showing bytes in the replay runner (platform-free: plain
// Uint8Array only). utf8 and concatBytes live in ../bytes.ts, shared with the engine.

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
