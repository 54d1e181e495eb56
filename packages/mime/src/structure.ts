import type { Alternative, CalendarEvent } from "./alternatives.ts";
import { type Attachment, attachmentLeaf } from "./attachment.ts";
import { foldHeader } from "./header-fold.ts";
import type { Part } from "./parts.ts";
import { assertWellFormed, isAscii } from "./text.ts";
import { encodeText } from "./text-body.ts";
import type { MessageInput, TextEncoding } from "./types.ts";

/** How text bodies are encoded, and where raw (7bit/8bit) ones are collected. */
interface TextContext {
  allow8bit: boolean;
  forced: TextEncoding | undefined;
  raws: string[];
}

function textPart(field: string, contentType: string, text: string, context: TextContext): Part {
  const encoded = encodeText(text, context.allow8bit, context.forced);
  // Only non-ASCII text can hold a lone surrogate, and text found plain is ASCII: for the
  // usual body, no scan of its own. (Refused here, nothing of the message went out yet.)
  if (!encoded.plain && !isAscii(text)) assertWellFormed(field, text);
  if (encoded.raw !== undefined) context.raws.push(encoded.raw);
  return {
    kind: "text",
    headers:
      foldHeader("Content-Type", contentType.split(" ")) +
      `Content-Transfer-Encoding: ${encoded.encoding}\r\n`,
    body: encoded.body,
    eightBit: encoded.encoding === "8bit",
  };
}

/** An alternative body: text when its content was a string, base64 otherwise. */
function alternativePart(a: Alternative, context: TextContext): Part {
  const { text, source } = a.content;
  if (text !== undefined) {
    const charset = /^text\//i.test(a.contentType) && !/;\s*charset=/i.test(a.contentType);
    const type = charset ? `${a.contentType}; charset=utf-8` : a.contentType;
    return textPart(`${a.field}.content`, type, text, context);
  }
  return {
    kind: "base64",
    headers:
      foldHeader("Content-Type", a.contentType.split(/\s+/)) +
      "Content-Transfer-Encoding: base64\r\n",
    source,
    field: a.field,
  };
}

/** The message's bodies and attachments, validated. */
export interface TreeInput {
  attachments: Attachment[];
  alternatives: Alternative[];
  calendar: CalendarEvent | undefined;
}

/**
 * Picks the structure from the content: multipart/related around the HTML when it has
 * inline parts; multipart/alternative when there is more than one body (text, extra
 * alternatives, HTML, calendar, in that order: readers show the last they understand);
 * multipart/mixed outermost for attachments (and a calendar's `.ics` copy). Raw (7bit/8bit)
 * bodies are collected in `raws` for the boundary check: every body is encoded before the
 * first `boundary()` call, which may rely on it.
 *
 * @since 0.1.0
 */
export function buildTree(
  input: MessageInput,
  parts: TreeInput,
  allow8bit: boolean,
  raws: string[],
  boundary: () => string,
): Part {
  const context: TextContext = { allow8bit, forced: input.textEncoding, raws };
  const text =
    input.text !== undefined
      ? textPart("text", "text/plain; charset=utf-8", input.text, context)
      : undefined;
  const extra = parts.alternatives.map((a) => alternativePart(a, context));
  let html =
    input.html !== undefined
      ? textPart("html", "text/html; charset=utf-8", input.html, context)
      : undefined;
  const calendar =
    parts.calendar !== undefined ? alternativePart(parts.calendar.alternative, context) : undefined;
  const { attachments } = parts;
  const inline = html !== undefined ? attachments.filter((a) => a.cid !== undefined) : [];
  const regular = attachments.filter((a) => !inline.includes(a));
  if (parts.calendar !== undefined) regular.push(parts.calendar.attachment);
  if (html !== undefined && inline.length > 0) {
    html = {
      kind: "multipart",
      subtype: "related",
      boundary: boundary(),
      parts: [html, ...inline.map(attachmentLeaf)],
    };
  }
  const bodies = [text, ...extra, html, calendar].filter((p) => p !== undefined);
  let body: Part | undefined;
  if (bodies.length > 1) {
    body = { kind: "multipart", subtype: "alternative", boundary: boundary(), parts: bodies };
  } else body = bodies[0];
  if (regular.length === 0) {
    return body ?? textPart("text", "text/plain; charset=utf-8", "", context);
  }
  return {
    kind: "multipart",
    subtype: "mixed",
    boundary: boundary(),
    parts: [...(body !== undefined ? [body] : []), ...regular.map(attachmentLeaf)],
  };
}
