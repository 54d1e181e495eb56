import { MimeError } from "./errors.ts";
import { assertHeaderSafe } from "./text.ts";

// RFC 5322 §3.2.3 atext, without the characters a regular expression class needs escaped.
const ATEXT = "A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~";
const DOT_ATOM_TEXT = `[${ATEXT}]+(?:\\.[${ATEXT}]+)*`;
// RFC 5322 §3.6.4 no-fold-literal: "[" *dtext "]", dtext = %d33-90 / %d94-126.
const NO_FOLD_LITERAL = "\\[[!-Z^-~]*\\]";
// Both patterns are linear: every repetition is separated by a character the other cannot match.
const MSG_ID = new RegExp(`^${DOT_ATOM_TEXT}@(?:${DOT_ATOM_TEXT}|${NO_FOLD_LITERAL})$`);
const BARE_ID_LEFT = new RegExp(`^${DOT_ATOM_TEXT}$`);

/**
 * Validates a message identifier given with or without angle brackets and returns it as
 * `<id>`: RFC 5322 §3.6.4 msg-id syntax (dot-atom-text "@" dot-atom-text or
 * no-fold-literal), at most 900 characters.
 *
 * `allowBareLeft` also accepts a lone dot-atom-text without "@": Content-ID values like
 * `cid: "logo"` are what most senders write and every reader resolves, so the attachment
 * `cid` keeps accepting them; Message-ID, In-Reply-To and References do not.
 *
 * @throws MimeError naming `field` when the value is not a valid msg-id.
 * @since 0.1.0
 */
export function toMsgId(field: string, value: unknown, allowBareLeft = false): string {
  if (typeof value !== "string") throw new MimeError(field, "must be a string");
  assertHeaderSafe(field, value);
  let id = value.trim();
  if (id.startsWith("<") && id.endsWith(">")) id = id.slice(1, -1);
  // Bounded length before any pattern runs.
  if (id.length === 0 || id.length > 900) throw new MimeError(field, "must be 1 to 900 characters");
  if (!MSG_ID.test(id) && !(allowBareLeft && BARE_ID_LEFT.test(id))) {
    throw new MimeError(
      field,
      `must be a msg-id such as "<unique@host.example>" (RFC 5322 §3.6.4), not ${JSON.stringify(value)}`,
    );
  }
  return `<${id}>`;
}

/**
 * References as a list of `<id>`: from an array, or a string of ids separated by spaces.
 *
 * @since 0.1.0
 */
export function toMsgIdList(field: string, value: unknown): string[] {
  if (typeof value === "string") {
    assertHeaderSafe(field, value);
    return value
      .split(/[ \t]+/)
      .filter((s) => s !== "")
      .map((id, i) => toMsgId(`${field}[${i}]`, id));
  }
  if (Array.isArray(value)) return value.map((id, i) => toMsgId(`${field}[${i}]`, id));
  throw new MimeError(field, "must be a string or an array of strings");
}
