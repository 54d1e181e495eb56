import { BASE64_ALPHABET } from "./base64.ts";
import { escapeOctet, isAsciiAlphanumeric, utf8 } from "./text.ts";

const B64 = BASE64_ALPHABET;
/** `=?UTF-8?Q?` + `?=`. */
const OVERHEAD = 12;

/** Characters RFC 2047 §5(3) lets stand for themselves in a Q word, even inside a phrase. */
function isQSafe(b: number): boolean {
  return (
    isAsciiAlphanumeric(b) || b === 0x21 || b === 0x2a || b === 0x2b || b === 0x2d || b === 0x2f
  );
}

function qLength(bytes: Uint8Array): number {
  let n = 0;
  for (const b of bytes) n += isQSafe(b) || b === 0x20 ? 1 : 3;
  return n;
}

function qEncode(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) {
    if (isQSafe(b)) out += String.fromCharCode(b);
    else if (b === 0x20) out += "_";
    else out += escapeOctet("=", b);
  }
  return out;
}

/**
 * Plain base64 (with padding) of a small byte array.
 *
 * @since 0.1.0
 */
export function base64String(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + B64[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += `${B64[n >> 18]}${B64[(n >> 12) & 63]}==`;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += `${B64[n >> 18]}${B64[(n >> 12) & 63]}${B64[(n >> 6) & 63]}=`;
  }
  return out;
}

/**
 * Encodes text as RFC 2047 encoded-words (UTF-8, Q or B, whichever is shorter), each at
 * most `firstMax` (the first) or `restMax` characters long, split only between code points
 * so that no word holds part of a multi-byte character.
 *
 * @since 0.1.0
 */
export function encodeWords(text: string, firstMax = 75, restMax = 75): string[] {
  const all = utf8(text);
  // Q stays readable for mostly-Latin text; B is shorter for other scripts.
  const useQ = qLength(all) <= Math.ceil(all.length / 3) * 4 * 1.5;
  const words: string[] = [];
  let chunk = "";
  let chunkCost = 0;
  let chunkBytes = 0;
  const max = () => (words.length === 0 ? firstMax : restMax) - OVERHEAD;
  const flush = () => {
    const bytes = utf8(chunk);
    words.push(`=?UTF-8?${useQ ? "Q" : "B"}?${useQ ? qEncode(bytes) : base64String(bytes)}?=`);
    chunk = "";
    chunkCost = 0;
    chunkBytes = 0;
  };
  for (const ch of text) {
    const bytes = utf8(ch);
    let cost: number;
    if (useQ) {
      cost = chunkCost + qLength(bytes);
    } else {
      cost = Math.ceil((chunkBytes + bytes.length) / 3) * 4;
    }
    if (chunk !== "" && cost > max()) {
      flush();
      cost = useQ ? qLength(bytes) : Math.ceil(bytes.length / 3) * 4;
    }
    chunk += ch;
    chunkCost = cost;
    chunkBytes += bytes.length;
  }
  if (chunk !== "" || words.length === 0) flush();
  return words;
}
