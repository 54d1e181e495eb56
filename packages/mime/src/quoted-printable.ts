import { utf8 } from "./text.ts";

const HEX = "0123456789ABCDEF";
/** Encoded line length before the soft-break "=" (RFC 2045 allows 76 with it). */
const MAX = 75;

/**
 * Quoted-printable (RFC 2045 §6.7) of text whose line breaks are already CRLF. Hard line
 * breaks stay CRLF; soft breaks keep lines at 76 characters and never split an escape or
 * a multi-byte character; trailing spaces and tabs are escaped.
 *
 * @since 0.1.0
 */
export function encodeQuotedPrintable(text: string): string {
  const lines = text.split("\r\n");
  const out: string[] = [];
  for (const line of lines) {
    let current = "";
    const pieces = Array.from(line);
    pieces.forEach((ch, index) => {
      const last = index === pieces.length - 1;
      let piece: string;
      const code = ch.charCodeAt(0);
      if (ch.length === 1 && code >= 0x21 && code <= 0x7e && code !== 0x3d) piece = ch;
      else if ((code === 0x20 || code === 0x09) && !last) piece = ch;
      else {
        piece = "";
        for (const b of utf8(ch)) piece += `=${HEX[b >> 4]}${HEX[b & 15]}`;
      }
      if (current.length + piece.length > MAX) {
        out.push(`${current}=\r\n`);
        current = "";
      }
      current += piece;
    });
    out.push(current);
    out.push("\r\n");
  }
  out.pop();
  return out.join("");
}
