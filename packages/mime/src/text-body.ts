import { encodeBase64Lines } from "./base64.ts";
import { encodeQuotedPrintable } from "./quoted-printable.ts";
import { utf8 } from "./text.ts";
import type { TextEncoding } from "./types.ts";

/**
 * A body Content-Transfer-Encoding this package writes.
 *
 * @since 0.1.0
 */
export type TransferEncoding = "7bit" | "8bit" | "quoted-printable" | "base64";

/**
 * Line breaks of any kind (CRLF, bare CR, bare LF) as CRLF.
 *
 * @since 0.1.0
 */
export function normalizeNewlines(text: string): string {
  // Text from JavaScript usually has bare LFs only: a plain search-and-replace is about
  // three times faster than the alternation.
  if (!text.includes("\r")) return text.replaceAll("\n", "\r\n");
  return text.replace(/\r\n|\r|\n/g, "\r\n");
}

/**
 * Whether the text is printable ASCII, TAB, CR and LF only (so ASCII: no lone surrogate).
 * The same before and after {@link normalizeNewlines}, which changes only CR and LF.
 *
 * @since 0.2.0
 */
export function isPlainText(text: string): boolean {
  return !NOT_PLAIN.test(text);
}

/**
 * An encoded text body: its transfer encoding and bytes (lines end in CRLF except,
 * possibly, the last).
 *
 * @since 0.1.0
 */
export interface EncodedText {
  encoding: TransferEncoding;
  bytes: Uint8Array;
  /** The body is raw text (7bit/8bit): boundaries must be checked against it. */
  raw: string | undefined;
}

/**
 * Chooses the transfer encoding from the content: 7bit for ASCII whose lines fit in 998
 * octets, 8bit for such UTF-8 when the server accepts 8BITMIME, quoted-printable otherwise
 * (non-ASCII, long lines, control characters). `forced` imposes quoted-printable or base64.
 * `plain` is {@link isPlainText} of `text`, when the caller already knows it.
 *
 * @since 0.1.0
 */
export function encodeText(
  text: string,
  allow8bit: boolean,
  forced?: TextEncoding,
  plain: boolean = isPlainText(text),
): EncodedText {
  const normalized = normalizeNewlines(text);
  if (forced === "base64") {
    const bytes = utf8(normalized);
    const lines = encodeBase64Lines(bytes, 0, bytes.length);
    // The final CRLF belongs to the delimiter or the message's end, which layout adds.
    return { encoding: "base64", bytes: lines.subarray(0, lines.length - 2), raw: undefined };
  }
  if (forced === "quoted-printable") {
    return {
      encoding: "quoted-printable",
      bytes: encodeQuotedPrintable(utf8(normalized)),
      raw: undefined,
    };
  }
  // The usual body, printable ASCII in lines that fit: native searches instead of a walk
  // over every character.
  if (plain && longestLine(normalized) <= 998) {
    return { encoding: "7bit", bytes: utf8(normalized), raw: normalized };
  }
  // Not plain: a control or non-ASCII character, or a line over 998 characters (so over
  // 998 octets too, which 8bit cannot take).
  if (allow8bit && !CONTROLS.test(normalized)) {
    const bytes = utf8(normalized);
    if (maxLineOctets(bytes) <= 998) return { encoding: "8bit", bytes, raw: normalized };
  }
  return {
    encoding: "quoted-printable",
    bytes: encodeQuotedPrintable(utf8(normalized)),
    raw: undefined,
  };
}

/** Anything but printable ASCII, TAB, CR and LF (which come only as CRLF after normalizing). */
const NOT_PLAIN = /[^\x09\x0a\x0d\x20-\x7e]/;

/** The ASCII controls but TAB, CR and LF (CR and LF come only as CRLF after normalizing). */
const CONTROLS = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;

/** The longest line of CRLF-separated text, in code units. */
function longestLine(text: string): number {
  let longest = 0;
  let start = 0;
  for (;;) {
    const end = text.indexOf("\r\n", start);
    if (end < 0) return Math.max(longest, text.length - start);
    if (end - start > longest) longest = end - start;
    start = end + 2;
  }
}

function maxLineOctets(bytes: Uint8Array): number {
  let longest = 0;
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0d && bytes[i + 1] === 0x0a) {
      longest = Math.max(longest, i - start);
      start = i + 2;
    }
  }
  return Math.max(longest, bytes.length - start);
}
