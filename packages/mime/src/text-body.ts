import { encodeBase64Lines } from "./base64.ts";
import { plainLineLength } from "./plain-lines.ts";
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
  /** The text was found plain (printable ASCII, TAB, CRLF), so ASCII; false when not checked. */
  plain: boolean;
}

/**
 * Chooses the transfer encoding from the content: 7bit for ASCII whose lines fit in 998
 * octets, 8bit for such UTF-8 when the server accepts 8BITMIME, quoted-printable otherwise
 * (non-ASCII, long lines, control characters). `forced` imposes quoted-printable or base64.
 *
 * @since 0.1.0
 */
export function encodeText(text: string, allow8bit: boolean, forced?: TextEncoding): EncodedText {
  const normalized = normalizeNewlines(text);
  if (forced === "base64") {
    const bytes = utf8(normalized);
    const lines = encodeBase64Lines(bytes, 0, bytes.length);
    // The final CRLF belongs to the delimiter or the message's end, which layout adds.
    const body = lines.subarray(0, lines.length - 2);
    return { encoding: "base64", bytes: body, raw: undefined, plain: false };
  }
  if (forced === "quoted-printable") {
    const bytes = encodeQuotedPrintable(utf8(normalized));
    return { encoding: "quoted-printable", bytes, raw: undefined, plain: false };
  }
  // The usual body, printable ASCII in lines that fit, checked on its bytes a word at a time.
  const bytes = utf8(normalized);
  const longest = plainLineLength(bytes);
  if (longest >= 0 && longest <= 998) {
    return { encoding: "7bit", bytes, raw: normalized, plain: true };
  }
  const plain = longest >= 0;
  // Not plain: a control or non-ASCII character; or a line over 998 octets, which 8bit
  // cannot take either.
  if (allow8bit && !CONTROLS.test(normalized) && maxLineOctets(bytes) <= 998) {
    return { encoding: "8bit", bytes, raw: normalized, plain };
  }
  return {
    encoding: "quoted-printable",
    bytes: encodeQuotedPrintable(bytes),
    raw: undefined,
    plain,
  };
}

/** The ASCII controls but TAB, CR and LF (CR and LF come only as CRLF after normalizing). */
const CONTROLS = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;

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
