import { MimeError } from "./errors.ts";

const encoder = new TextEncoder();

/**
 * UTF-8 bytes of a string.
 *
 * @since 0.1.0
 */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/**
 * Writes the UTF-8 of `text` into `target` from its start, as far as it fits; returns the
 * octets written.
 *
 * @since 0.2.0
 */
export function utf8Into(text: string, target: Uint8Array): number {
  return encoder.encodeInto(text, target).written;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/**
 * The UTF-8 length of a string without encoding it (as `TextEncoder` encodes it: an
 * unpaired surrogate counts as U+FFFD).
 *
 * @since 0.1.0
 */
export function utf8Length(text: string): number {
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) length += 1;
    else if (c < 0x800) length += 2;
    else if (c >= 0xd800 && c <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      length += 4;
      i++;
    } else length += 3; // also an unpaired surrogate: TextEncoder writes U+FFFD for it
  }
  return length;
}

/**
 * Whether every code unit is in 0x00–0x7f.
 *
 * @since 0.1.0
 */
export function isAscii(text: string): boolean {
  const length = text.length;
  // Short strings (addresses, words): the regular expression is quickest. Longer ones (a
  // header block, a body) are encoded into a reused buffer instead, about ten times faster
  // than the expression walks them: every code unit gives at least one octet, and only
  // an ASCII one gives exactly one.
  if (length < ASCII_ENCODE_MIN || length > ASCII_SCRATCH_MAX) return !NON_ASCII.test(text);
  if (asciiScratch.length < length)
    asciiScratch = new Uint8Array(Math.min(Math.max(length, 1024) * 2, ASCII_SCRATCH_MAX));
  const { read, written } = encoder.encodeInto(text, asciiScratch);
  return read === length && written === length;
}

const NON_ASCII = /[^\x00-\x7f]/;
/** From this length on, {@link isAscii} encodes rather than matches. */
const ASCII_ENCODE_MIN = 64;
/** The most octets {@link isAscii}'s reused buffer grows to; longer strings are matched. */
const ASCII_SCRATCH_MAX = 65_536;
let asciiScratch = new Uint8Array(0);

/** {@link isAscii}'s reused buffer as it is now: for tests of its bound. @internal */
export function asciiScratchNow(): Uint8Array {
  return asciiScratch;
}

/**
 * Whether the string is printable ASCII (0x20–0x7e) only.
 *
 * @since 0.1.0
 */
export function isPrintableAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/**
 * Refuses CR, LF and NUL (header injection, R1) and lone surrogates (which cannot be
 * encoded as UTF-8 without silently changing the text).
 *
 * @since 0.1.0
 */
export function assertHeaderSafe(field: string, value: string): void {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x0d || c === 0x0a || c === 0x00) {
      const name = c === 0x0d ? "CR" : c === 0x0a ? "LF" : "NUL";
      throw new MimeError(field, `contains ${name} at index ${i}`);
    }
    if (c >= 0xd800 && c <= 0xdfff) checkSurrogate(field, value, i, c) && i++;
  }
}

/**
 * Refuses lone surrogates (text that is not well-formed Unicode).
 *
 * @since 0.1.0
 */
export function assertWellFormed(field: string, value: string): void {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) checkSurrogate(field, value, i, c) && i++;
  }
}

function checkSurrogate(field: string, value: string, i: number, c: number): boolean {
  const next = value.charCodeAt(i + 1);
  if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) return true;
  throw new MimeError(field, `contains a lone surrogate at index ${i}`);
}

/**
 * Requires a string (typed input can still be anything at run time).
 *
 * @since 0.1.0
 */
export function assertString(field: string, value: unknown): asserts value is string {
  if (typeof value !== "string") throw new MimeError(field, "must be a string");
}

/**
 * Whether a code unit is an ASCII letter or digit.
 *
 * @since 0.1.0
 */
export function isAsciiAlphanumeric(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39);
}

const HEX_UPPER = "0123456789ABCDEF";

/**
 * An octet escaped as `marker` and two upper-case hex digits: `=3D` (RFC 2047 Q),
 * `%20` (RFC 2231).
 *
 * @since 0.1.0
 */
export function escapeOctet(marker: "=" | "%", b: number): string {
  return `${marker}${HEX_UPPER[b >> 4]}${HEX_UPPER[b & 15]}`;
}

const HEX = "0123456789abcdef";
/** Every octet's two hex digits. */
const HEX_PAIRS = Array.from({ length: 256 }, (_, b) => HEX[b >> 4]! + HEX[b & 15]!);

/**
 * Lower-case hexadecimal of bytes.
 *
 * @since 0.1.0
 */
export function hex(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += HEX_PAIRS[bytes[i]!]!;
  return out;
}
