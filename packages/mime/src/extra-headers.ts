import { MimeError } from "./errors.ts";
import { assertHeaderSafe } from "./text.ts";
import type { HeadersInput } from "./types.ts";

/**
 * Header names the builder writes itself: an extra header may not replace them. The
 * structural ones would break the MIME tree; the others have their own input field.
 */
const RESERVED = new Map<string, string>([
  ["content-type", "structural: set from the content"],
  ["content-transfer-encoding", "structural: chosen by the builder"],
  ["mime-version", "structural: always 1.0"],
  ["content-disposition", "structural: set per attachment"],
  ["content-id", "structural: use attachments[].cid"],
  ["from", "use the from field"],
  ["sender", "use the sender field"],
  ["to", "use the to field"],
  ["cc", "use the cc field"],
  ["bcc", "use the bcc field (never written to the headers)"],
  ["reply-to", "use the replyTo field"],
  ["subject", "use the subject field"],
  ["date", "use the date field"],
  ["message-id", "use the messageId field"],
  ["in-reply-to", "use the inReplyTo field"],
  ["references", "use the references field"],
]);

/**
 * One validated extra header.
 *
 * @since 0.1.0
 */
export interface ExtraHeader {
  name: string;
  value: string;
}

function checkName(field: string, name: string): void {
  if (name.length === 0 || name.length > 76)
    throw new MimeError(field, "name must be 1 to 76 characters");
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    // RFC 5322 ftext: printable ASCII except ":".
    if (c < 0x21 || c > 0x7e || c === 0x3a) {
      throw new MimeError(field, `invalid character in the header name at index ${i}`);
    }
  }
  const reserved = RESERVED.get(name.toLowerCase());
  if (reserved !== undefined)
    throw new MimeError(field, `may not be set as an extra header (${reserved})`);
}

/**
 * Validates extra headers: names are RFC 5322 field names that do not replace one the
 * builder writes (`priority` reserves X-Priority and Importance); values are strings
 * without CR, LF or NUL.
 *
 * @since 0.1.0
 */
export function toExtraHeaders(
  input: HeadersInput | undefined,
  hasPriority: boolean,
): ExtraHeader[] {
  if (input === undefined) return [];
  const pairs: [string, unknown][] = [];
  if (Array.isArray(input)) {
    (input as readonly unknown[]).forEach((item, i) => {
      if (typeof item !== "object" || item === null)
        throw new MimeError(`headers[${i}]`, "must be { key, value }");
      const { key, value } = item as { key?: unknown; value?: unknown };
      if (typeof key !== "string") throw new MimeError(`headers[${i}].key`, "must be a string");
      pairs.push([key, value]);
    });
  } else if (typeof input === "object" && input !== null) {
    for (const [key, value] of Object.entries(input)) {
      if (Array.isArray(value)) for (const v of value as unknown[]) pairs.push([key, v]);
      else pairs.push([key, value]);
    }
  } else throw new MimeError("headers", "must be an object or an array of { key, value }");
  return pairs.map(([name, value]) => {
    const field = `headers.${name}`;
    assertHeaderSafe(field, name);
    checkName(field, name);
    const lower = name.toLowerCase();
    if (hasPriority && (lower === "x-priority" || lower === "importance")) {
      throw new MimeError(field, "may not be set together with the priority field");
    }
    if (typeof value !== "string") throw new MimeError(field, "value must be a string");
    assertHeaderSafe(field, value);
    return { name, value };
  });
}
