import { MimeError } from "./errors.ts";
import { assertHeaderSafe } from "./text.ts";

/**
 * Validates a message identifier given with or without angle brackets and returns it as
 * `<id>`: printable ASCII without spaces or brackets inside, at most 900 characters.
 *
 * @since 0.1.0
 */
export function toMsgId(field: string, value: unknown): string {
  if (typeof value !== "string") throw new MimeError(field, "must be a string");
  assertHeaderSafe(field, value);
  let id = value.trim();
  if (id.startsWith("<") && id.endsWith(">")) id = id.slice(1, -1);
  if (id.length === 0 || id.length > 900) throw new MimeError(field, "must be 1 to 900 characters");
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 0x3c || c === 0x3e) {
      throw new MimeError(field, "must be printable ASCII without spaces or angle brackets");
    }
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
