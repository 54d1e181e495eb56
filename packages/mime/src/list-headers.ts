import { isDotAtom } from "./address.ts";
import { encodeWords } from "./encoded-word.ts";
import { MimeError } from "./errors.ts";
import { foldHeader } from "./header-fold.ts";
import { phraseWords } from "./header-values.ts";
import { assertHeaderSafe, assertString, isPrintableAscii } from "./text.ts";
import type { ListInput } from "./types.ts";

/** The URL fields of `list` and the header each one writes (RFC 2369), in writing order. */
const URL_FIELDS: readonly [keyof ListInput, string][] = [
  ["help", "List-Help"],
  ["unsubscribe", "List-Unsubscribe"],
  ["subscribe", "List-Subscribe"],
  ["post", "List-Post"],
  ["owner", "List-Owner"],
  ["archive", "List-Archive"],
];

/**
 * Longest URL written, in octets once normalised: `<url>,` then fits a folded line (998)
 * whatever the field name.
 *
 * @since 0.1.0
 */
export const MAX_LIST_URL = 900;
/** Longest input accepted before parsing (bounds the URL parser's work). */
const MAX_URL_INPUT = 4096;
/** Longest comment, in characters. */
const MAX_COMMENT = 500;
/** Most URLs in one field. */
const MAX_URLS = 16;
const SCHEMES = new Set(["https:", "http:", "mailto:", "ftp:"]);

/**
 * Normalises one list URL: `https:`, `http:`, `mailto:` or `ftp:` as the URL standard
 * writes it (punycode host, non-ASCII percent-encoded), or an e-mail address as `mailto:`.
 * The result is printable ASCII without `<`, `>` or spaces, at most {@link MAX_LIST_URL}
 * octets.
 *
 * @throws MimeError naming `field`.
 * @since 0.1.0
 */
export function normalizeListUrl(field: string, value: string): string {
  assertHeaderSafe(field, value);
  const trimmed = value.trim().replace(/^<(.*)>$/, "$1");
  if (trimmed.length === 0 || trimmed.length > MAX_URL_INPUT) {
    throw new MimeError(field, `must be 1 to ${MAX_URL_INPUT} characters`);
  }
  // An address without a scheme is a mailto: URL.
  const text =
    !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(trimmed) && trimmed.includes("@")
      ? `mailto:${trimmed}`
      : trimmed;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new MimeError(
      field,
      "must be an https:, http:, mailto: or ftp: URL, or an e-mail address",
    );
  }
  if (!SCHEMES.has(url.protocol)) {
    throw new MimeError(
      field,
      `the ${url.protocol} scheme is not allowed (https, http, mailto, ftp)`,
    );
  }
  // Opaque paths (mailto:) keep spaces; nothing else below 0x21 or above 0x7e is left.
  const href = url.href.replace(/ /g, "%20");
  if (!/^[!-~]+$/.test(href) || /[<>]/.test(href)) {
    throw new MimeError(field, "holds characters a URL in a header cannot carry");
  }
  if (href.length > MAX_LIST_URL) throw new MimeError(field, `longer than ${MAX_LIST_URL} octets`);
  return href;
}

/** A comment as header words: `(` … `)`, escaped ASCII or RFC 2047 encoded-words. */
function commentWords(field: string, comment: unknown): string[] {
  assertString(field, comment);
  assertHeaderSafe(field, comment);
  if (comment.length > MAX_COMMENT)
    throw new MimeError(field, `longer than ${MAX_COMMENT} characters`);
  const text = comment.trim().replace(/\s+/g, " ");
  if (text === "") return [];
  const words =
    isPrintableAscii(text) && !text.includes("=?")
      ? text.replace(/[()\\]/g, "\\$&").split(" ")
      : encodeWords(text);
  words[0] = `(${words[0]}`;
  words[words.length - 1] = `${words[words.length - 1]})`;
  return words;
}

interface ListItem {
  value: string;
  comment: unknown;
  /** The field of the value, e.g. `list.help[1].url`. */
  field: string;
  /** The field of the comment, e.g. `list.help[1].comment`. */
  commentField: string;
}

function items(field: string, input: unknown): ListItem[] {
  const list = Array.isArray(input) ? (input as unknown[]) : [input];
  if (list.length === 0) throw new MimeError(field, "must not be an empty array");
  if (list.length > MAX_URLS) throw new MimeError(field, `more than ${MAX_URLS} URLs`);
  return list.map((item, i) => {
    const itemField = Array.isArray(input) ? `${field}[${i}]` : field;
    const commentField = `${itemField}.comment`;
    if (typeof item === "string") {
      return { value: item, comment: undefined, field: itemField, commentField };
    }
    if (typeof item === "object" && item !== null && !Array.isArray(item)) {
      const { url, comment } = item as { url?: unknown; comment?: unknown };
      assertString(`${itemField}.url`, url);
      return { value: url, comment, field: `${itemField}.url`, commentField };
    }
    throw new MimeError(itemField, "must be a URL string or { url, comment }");
  });
}

function withComment(words: string[], item: ListItem): string[] {
  return item.comment === undefined
    ? words
    : [...words, ...commentWords(item.commentField, item.comment)];
}

/** One URL field's words, items separated by commas; the https: URLs are counted in `https`. */
function urlFieldWords(field: string, input: unknown, https: string[], http: string[]): string[] {
  const list = items(field, input);
  const post = field === "list.post";
  if (post && list.length === 1 && list[0]!.value.trim().toUpperCase() === "NO") {
    return withComment(["NO"], list[0]!);
  }
  const words: string[] = [];
  list.forEach((item, i) => {
    const url = normalizeListUrl(item.field, item.value);
    if (url.startsWith("https:")) https.push(url);
    else if (url.startsWith("http:")) http.push(url);
    const itemWords = withComment([`<${url}>`], item);
    if (i < list.length - 1) itemWords[itemWords.length - 1] += ",";
    words.push(...itemWords);
  });
  return words;
}

/** `List-Id` (RFC 2919): an optional description phrase, then `<list-label.namespace>`. */
function listIdWords(input: unknown, smtpUtf8: boolean): string[] {
  if (Array.isArray(input)) throw new MimeError("list.id", "must be one identifier, not an array");
  const item = items("list.id", input)[0]!;
  assertHeaderSafe(item.field, item.value);
  const id = item.value.trim().replace(/^<(.*)>$/, "$1");
  if (id.length > 255 || !id.includes(".") || !isPrintableAscii(id) || !isDotAtom(id)) {
    throw new MimeError(
      item.field,
      'must be a list identifier such as "news.example.com" (RFC 2919)',
    );
  }
  if (item.comment === undefined) return [`<${id}>`];
  const { comment, commentField } = item;
  assertString(commentField, comment);
  assertHeaderSafe(commentField, comment);
  if (comment.length > MAX_COMMENT) {
    throw new MimeError(commentField, `longer than ${MAX_COMMENT} characters`);
  }
  const phrase = comment.trim().replace(/\s+/g, " ");
  return [...(phrase === "" ? [] : phraseWords(phrase, smtpUtf8)), `<${id}>`];
}

/**
 * The header fields of `list`: List-Help, -Unsubscribe, -Subscribe, -Post, -Owner,
 * -Archive (RFC 2369), List-Id (RFC 2919) and, with `oneClick`, List-Unsubscribe-Post
 * (RFC 8058), which needs exactly one `https:` unsubscribe URL and no `http:` one.
 *
 * @returns the header text and the names written (an extra header may not repeat them).
 * @throws MimeError naming the field.
 * @since 0.1.0
 */
export function listHeaders(input: unknown, smtpUtf8: boolean): { text: string; names: string[] } {
  if (input === undefined) return { text: "", names: [] };
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new MimeError("list", "must be an object");
  }
  const list = input as ListInput;
  let text = "";
  const names: string[] = [];
  const add = (name: string, words: string[]) => {
    text += foldHeader(name, words);
    names.push(name);
  };
  let unsubscribeHttps: string[] = [];
  let unsubscribeHttp: string[] = [];
  for (const [key, name] of URL_FIELDS) {
    if (list[key] === undefined) continue;
    const https: string[] = [];
    const http: string[] = [];
    add(name, urlFieldWords(`list.${key}`, list[key], https, http));
    if (key === "unsubscribe") {
      unsubscribeHttps = https;
      unsubscribeHttp = http;
    }
  }
  if (list.id !== undefined) add("List-Id", listIdWords(list.id, smtpUtf8));
  if (list.oneClick !== undefined && typeof list.oneClick !== "boolean") {
    throw new MimeError("list.oneClick", "must be a boolean");
  }
  if (list.oneClick === true) {
    if (unsubscribeHttps.length !== 1 || unsubscribeHttp.length > 0) {
      throw new MimeError(
        "list.unsubscribe",
        "oneClick needs exactly one https: URL (and no http: one) in list.unsubscribe (RFC 8058)",
      );
    }
    add("List-Unsubscribe-Post", ["List-Unsubscribe=One-Click"]);
  }
  return { text, names };
}
