import { encodeWords } from "./encoded-word.ts";
import { escapeOctet, isAsciiAlphanumeric, isPrintableAscii, utf8 } from "./text.ts";

/** RFC 2231 attribute-char that may stand for itself (a subset of RFC 2045 token chars). */
const ATTRIBUTE_SAFE = "!#$&+-.^_`|~";
/** Longest encoded value per RFC 2231 segment, so each segment line stays well under 78. */
const SEGMENT = 56;

function isAttributeChar(b: number): boolean {
  return isAsciiAlphanumeric(b) || ATTRIBUTE_SAFE.indexOf(String.fromCharCode(b)) >= 0;
}

function percentEncode(ch: string): string {
  let out = "";
  for (const b of utf8(ch))
    out += isAttributeChar(b) ? String.fromCharCode(b) : escapeOctet("%", b);
  return out;
}

/** A value simple enough for a plain quoted-string parameter. */
function isSimple(value: string): boolean {
  return (
    value.length > 0 &&
    value.length <= SEGMENT &&
    isPrintableAscii(value) &&
    !value.includes('"') &&
    !value.includes("\\") &&
    !value.includes("=?")
  );
}

/**
 * A parameter as one or more parameters (RFC 2231 segments), each a list of words. Simple ASCII values are quoted strings;
 * non-ASCII or long values use RFC 2231 extended, continued segments (`key*0*=utf-8''…`),
 * split only between characters.
 *
 * @since 0.1.0
 */
export function parameterWords(key: string, value: string): string[][] {
  if (isSimple(value)) return [[`${key}="${value}"`]];
  const segments: string[] = [];
  let current = "utf-8''";
  for (const ch of value) {
    const piece = percentEncode(ch);
    if (current.length + piece.length > SEGMENT && current !== "utf-8''") {
      segments.push(current);
      current = "";
    }
    current += piece;
  }
  segments.push(current);
  if (segments.length === 1) return [[`${key}*=${segments[0]}`]];
  return segments.map((s, i) => [`${key}*${i}*=${s}`]);
}

/**
 * The legacy `name=` parameter for old readers that ignore RFC 2231: a quoted string,
 * holding RFC 2047 encoded-words when the value is not short printable ASCII.
 *
 * @since 0.1.0
 */
export function legacyNameWords(key: string, value: string): string[] {
  if (isPrintableAscii(value) && value.length <= SEGMENT && !value.includes("=?")) {
    return [`${key}="${value.replace(/["\\]/g, "\\$&")}"`];
  }
  const words = encodeWords(value, 75, 75);
  words[0] = `${key}="${words[0]}`;
  words[words.length - 1] = `${words[words.length - 1]}"`;
  return words;
}

/**
 * Joins parameters (each one or more words) into header words, `;` after every parameter
 * but the last.
 *
 * @since 0.1.0
 */
export function joinParameters(params: readonly (readonly string[])[]): string[] {
  const out: string[] = [];
  params.forEach((words, p) => {
    words.forEach((word, w) => {
      out.push(w === words.length - 1 && p < params.length - 1 ? `${word};` : word);
    });
  });
  return out;
}
