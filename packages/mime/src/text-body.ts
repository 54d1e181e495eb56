import { encodeBase64Lines } from "./base64.ts";
import { plainLineLength } from "./plain-lines.ts";
import { encodeQuotedPrintable } from "./quoted-printable.ts";
import { utf8, utf8Into } from "./text.ts";
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
 * A text whose UTF-8 form is a body as it is, with that form's length: written straight
 * into the message's joined bytes, with no array of its own.
 *
 * @since 0.2.0
 */
export interface SizedText {
  text: string;
  /** Octets of its UTF-8 form. */
  octets: number;
}

/**
 * An encoded text body: its transfer encoding and its bytes, or for 7bit and 8bit the
 * normalised text itself (lines end in CRLF except, possibly, the last).
 *
 * @since 0.1.0
 */
export interface EncodedText {
  encoding: TransferEncoding;
  body: Uint8Array | SizedText;
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
    return { encoding: "base64", body, raw: undefined, plain: false };
  }
  if (forced === "quoted-printable") {
    const body = encodeQuotedPrintable(utf8(normalized));
    return { encoding: "quoted-printable", body, raw: undefined, plain: false };
  }
  // The usual body, printable ASCII in lines that fit, checked on its bytes a word at a time.
  // Those bytes are only looked at: a 7bit or 8bit body is the text, encoded once more
  // where the message's bytes are joined.
  const bytes = scanBytes(normalized);
  const longest = plainLineLength(bytes);
  if (longest >= 0 && longest <= 998) {
    const body = { text: normalized, octets: bytes.length };
    return { encoding: "7bit", body, raw: normalized, plain: true };
  }
  const plain = longest >= 0;
  // Not plain: a control or non-ASCII character; or a line over 998 octets, which 8bit
  // cannot take either.
  if (allow8bit && !CONTROLS.test(normalized) && maxLineOctets(bytes) <= 998) {
    const body = { text: normalized, octets: bytes.length };
    return { encoding: "8bit", body, raw: normalized, plain };
  }
  return {
    encoding: "quoted-printable",
    body: encodeQuotedPrintable(bytes),
    raw: undefined,
    plain,
  };
}

/**
 * Texts of up to this many UTF-8 octets at most (3 per code unit: 21,845 units) are
 * scanned in the reused buffer, which never grows past it: 64 KiB less one octet.
 */
const SCAN_BUFFER_MAX = 3 * 21_845;
let scanBuffer = new Uint8Array(0);

/**
 * The UTF-8 form of `text` for a scan, valid until the next call: in one buffer reused from
 * call to call when it fits (an array of its own costs about a microsecond), else in a new
 * array. `createMessage` is synchronous, so no two calls overlap.
 */
function scanBytes(text: string): Uint8Array {
  // A UTF-16 code unit takes at most 3 octets.
  const room = text.length * 3;
  if (room > SCAN_BUFFER_MAX) return utf8(text);
  if (scanBuffer.length < room) scanBuffer = new Uint8Array(Math.max(room, 4096));
  return scanBuffer.subarray(0, utf8Into(text, scanBuffer));
}

/** The reused scan buffer as it is now: for tests of its bound. @internal */
export function scanBufferNow(): Uint8Array {
  return scanBuffer;
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
