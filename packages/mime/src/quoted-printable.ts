const HEX = new TextEncoder().encode("0123456789ABCDEF");
/** Encoded characters per line before the soft-break "=" (RFC 2045 allows 76 with it). */
const MAX = 75;

/**
 * Quoted-printable (RFC 2045 §6.7) of UTF-8 text whose line breaks are already CRLF. Hard
 * line breaks stay CRLF; soft breaks keep lines at 76 characters and never split an escape
 * or a multi-byte character; trailing spaces and tabs are escaped. One pass over the
 * octets into one output array.
 *
 * @since 0.1.0
 */
export function encodeQuotedPrintable(input: Uint8Array): Uint8Array {
  const n = input.length;
  // Worst case: every octet escaped (×3) plus a soft break ("=" CRLF) per 25 escapes.
  const out = new Uint8Array(n * 3 + Math.ceil(n / 25) * 3 + 3);
  let o = 0;
  let column = 0;
  let i = 0;
  while (i < n) {
    const b = input[i]!;
    if (b === 13 && input[i + 1] === 10) {
      out[o++] = 13;
      out[o++] = 10;
      column = 0;
      i += 2;
      continue;
    }
    // Octets of this character (a UTF-8 lead octet says how many follow).
    const length = b < 0xc0 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
    let literal = false;
    if (length === 1) {
      if (b === 0x20 || b === 0x09) {
        // Whitespace at the end of a line would be stripped in transit: escape it there.
        const next = input[i + 1];
        literal = i + 1 < n && !(next === 13 && input[i + 2] === 10);
      } else literal = b >= 0x21 && b <= 0x7e && b !== 0x3d;
    }
    const width = literal ? 1 : 3 * length;
    if (column + width > MAX) {
      out[o++] = 0x3d;
      out[o++] = 13;
      out[o++] = 10;
      column = 0;
    }
    if (literal) out[o++] = b;
    else {
      const end = Math.min(i + length, n);
      for (let j = i; j < end; j++) {
        const c = input[j]!;
        out[o++] = 0x3d;
        out[o++] = HEX[c >> 4]!;
        out[o++] = HEX[c & 15]!;
      }
    }
    column += width;
    i += length;
  }
  return out.slice(0, o);
}
