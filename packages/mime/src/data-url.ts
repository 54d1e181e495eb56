import { decodeBase64Text } from "./decode.ts";
import { MimeError } from "./errors.ts";
import { utf8 } from "./text.ts";

/**
 * A decoded `data:` URL (RFC 2397).
 *
 * @since 0.1.0
 */
export interface DataUrl {
  /** The media type as written, or `undefined` when the URL gives none. */
  mediaType: string | undefined;
  bytes: Uint8Array;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/** `%XX` escapes to octets; other characters as their UTF-8. */
function percentDecode(field: string, text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25) {
      const high = hexDigit(text.charCodeAt(i + 1));
      const low = hexDigit(text.charCodeAt(i + 2));
      if (high < 0 || low < 0) throw new MimeError(field, `a bad "%" escape at index ${i}`);
      out.push((high << 4) | low);
      i += 2;
    } else if (c < 0x80) out.push(c);
    else {
      const end = c >= 0xd800 && c <= 0xdbff ? i + 2 : i + 1;
      out.push(...utf8(text.slice(i, end)));
      i = end - 1;
    }
  }
  return Uint8Array.from(out);
}

/** Octets as the string of the same character codes (in slices: no huge argument lists). */
function latin1(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return out;
}

/**
 * Parses `data:[<media type>][;base64],<data>`: the data is percent-decoded, then
 * base64-decoded when `;base64` ends the header.
 *
 * @throws MimeError naming `field` when it is not a well-formed data URL.
 * @since 0.1.0
 */
export function parseDataUrl(field: string, url: string): DataUrl {
  const comma = url.indexOf(",");
  if (!url.startsWith("data:") || comma < 0) {
    throw new MimeError(field, 'not a data URL ("data:[<type>][;base64],<data>")');
  }
  let header = url.slice(5, comma);
  const base64 = /;base64$/i.test(header);
  if (base64) header = header.slice(0, -7);
  const data = percentDecode(field, url.slice(comma + 1));
  const bytes = base64 ? decodeBase64Text(field, latin1(data)) : data;
  const mediaType = header.trim() === "" ? undefined : header.trim();
  return { mediaType, bytes };
}
