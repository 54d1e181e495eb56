const NO_WORDS = new Uint32Array(0);

/**
 * The longest line of `bytes` in octets when they are plain text, printable ASCII
 * (0x20–0x7e), TAB, CR and LF only, or -1 when they are not. A line ends at a CR and the next
 * starts after an LF (the bytes of normalized text, where CR and LF come as CRLF).
 *
 * Reads four octets at a time through a 32-bit view and walks only the words that hold an
 * octet outside 0x20–0x7e: a line end, a TAB, or what makes the text not plain. A text body
 * is 7bit when this is 0–998 (RFC 5322 §2.1.1).
 *
 * @since 0.2.0
 */
export function plainLineLength(bytes: Uint8Array): number {
  const length = bytes.length;
  // The octets before the first 4-aligned address, and those after the last whole word,
  // are walked one by one.
  const head = Math.min(length, (4 - (bytes.byteOffset & 3)) & 3);
  const count = (length - head) >>> 2;
  const words =
    count === 0 ? NO_WORDS : new Uint32Array(bytes.buffer, bytes.byteOffset + head, count);
  const wordsEnd = head + 4 * words.length;
  let longest = 0;
  let lineStart = 0;
  let i = 0;
  while (i < length) {
    if (i >= head && i < wordsEnd && ((i - head) & 3) === 0) {
      // "Has less than 0x20" and "has more than 0x7e" of "Bit Twiddling Hacks": exact
      // for whether any octet of the word is outside 0x20–0x7e.
      const w = words[(i - head) >>> 2]!;
      const outside = (((w - 0x20202020) & ~w) | (w + 0x01010101) | w) & 0x80808080;
      if (outside === 0) {
        i += 4;
        continue;
      }
    }
    const byte = bytes[i]!;
    if (byte === 0x0d) {
      if (i - lineStart > longest) longest = i - lineStart;
    } else if (byte === 0x0a) {
      lineStart = i + 1;
    } else if (byte !== 0x09 && (byte < 0x20 || byte > 0x7e)) {
      return -1;
    }
    i++;
  }
  return Math.max(longest, length - lineStart);
}
