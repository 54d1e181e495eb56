import { BASE64_ALPHABET } from "./base64.ts";
import { MimeError } from "./errors.ts";
import { utf8 } from "./text.ts";
import type { ContentEncoding } from "./types.ts";

/** Each ASCII code's base64 value, or -1. */
const BASE64_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE64_ALPHABET.length; i++) BASE64_VALUE[BASE64_ALPHABET.charCodeAt(i)] = i;

/** ASCII white space a base64 or hex string may be wrapped with (space, tab, CR, LF, FF). */
function isWhiteSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a || c === 0x0c;
}

/**
 * Decodes base64 text (RFC 4648 §4 alphabet): white space anywhere is skipped (wrapped
 * lines), the `=` padding is optional but, when present, must be right. Anything else —
 * a character outside the alphabet, data after the padding, a lone final character — is
 * refused rather than guessed at.
 *
 * @throws MimeError naming `field`.
 * @since 0.1.0
 */
export function decodeBase64Text(field: string, text: string): Uint8Array {
  const out = new Uint8Array(Math.floor((text.length * 3) / 4) + 3);
  let o = 0;
  let bits = 0;
  let count = 0;
  let digits = 0;
  let padding = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isWhiteSpace(c)) continue;
    if (c === 0x3d) {
      padding++;
      continue;
    }
    const value = c < 128 ? BASE64_VALUE[c]! : -1;
    if (value < 0) throw new MimeError(field, `not base64: invalid character at index ${i}`);
    if (padding > 0) throw new MimeError(field, `not base64: data after "=" at index ${i}`);
    bits = (bits << 6) | value;
    count += 6;
    digits++;
    if (count >= 8) {
      count -= 8;
      out[o++] = (bits >> count) & 0xff;
      bits &= (1 << count) - 1;
    }
  }
  const rest = digits % 4;
  if (rest === 1) throw new MimeError(field, "not base64: a lone final character");
  if (padding > 0 && (rest === 0 || padding !== 4 - rest)) {
    throw new MimeError(field, "not base64: wrong padding");
  }
  return out.slice(0, o);
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/**
 * Decodes hexadecimal text (either case); white space between octets is skipped.
 *
 * @throws MimeError naming `field` on any other character or an odd number of digits.
 * @since 0.1.0
 */
export function decodeHexText(field: string, text: string): Uint8Array {
  const out = new Uint8Array(Math.ceil(text.length / 2));
  let o = 0;
  let high = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isWhiteSpace(c) && high < 0) continue;
    const value = hexValue(c);
    if (value < 0) throw new MimeError(field, `not hex: invalid character at index ${i}`);
    if (high < 0) high = value;
    else {
      out[o++] = (high << 4) | value;
      high = -1;
    }
  }
  if (high >= 0) throw new MimeError(field, "not hex: an odd number of digits");
  return out.slice(0, o);
}

/**
 * Latin-1 ("binary"): each character is one octet, so every code must be at most 0xFF.
 *
 * @throws MimeError naming `field` on a character above U+00FF.
 * @since 0.1.0
 */
export function decodeLatin1Text(field: string, text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) {
      throw new MimeError(field, `not binary (latin1): a character above U+00FF at index ${i}`);
    }
    out[i] = c;
  }
  return out;
}

const ENCODINGS: readonly ContentEncoding[] = [
  "base64",
  "hex",
  "binary",
  "latin1",
  "utf-8",
  "utf8",
];

/**
 * Checks an `encoding` field's value.
 *
 * @throws MimeError naming `field`.
 * @since 0.1.0
 */
export function toContentEncoding(field: string, value: unknown): ContentEncoding | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !ENCODINGS.includes(value as ContentEncoding)) {
    throw new MimeError(field, `must be one of ${ENCODINGS.map((e) => `"${e}"`).join(", ")}`);
  }
  return value as ContentEncoding;
}

/**
 * The octets a string content stands for under `encoding` (`field` names the content).
 *
 * @since 0.1.0
 */
export function decodeContent(field: string, text: string, encoding: ContentEncoding): Uint8Array {
  switch (encoding) {
    case "base64":
      return decodeBase64Text(field, text);
    case "hex":
      return decodeHexText(field, text);
    case "binary":
    case "latin1":
      return decodeLatin1Text(field, text);
    case "utf-8":
    case "utf8":
      return utf8(text);
  }
}
