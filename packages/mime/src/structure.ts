import { type Attachment, attachmentLeaf } from "./attachment.ts";
import type { Part } from "./parts.ts";
import { assertWellFormed } from "./text.ts";
import { encodeText } from "./text-body.ts";
import type { MessageInput } from "./types.ts";

function textPart(
  field: string,
  subtype: "plain" | "html",
  text: string,
  allow8bit: boolean,
  raws: string[],
): Part {
  assertWellFormed(field, text);
  const encoded = encodeText(text, allow8bit);
  if (encoded.raw !== undefined) raws.push(encoded.raw);
  return {
    kind: "text",
    headers:
      `Content-Type: text/${subtype}; charset=utf-8\r\n` +
      `Content-Transfer-Encoding: ${encoded.encoding}\r\n`,
    body: encoded.bytes,
  };
}

/**
 * Picks the structure from the content: multipart/related around the HTML when it has
 * inline parts, multipart/alternative for text + HTML, multipart/mixed outermost for
 * attachments. Raw (7bit/8bit) bodies are collected in `raws` for the boundary check:
 * every body is encoded before the first `boundary()` call, which may rely on it.
 *
 * @since 0.1.0
 */
export function buildTree(
  input: MessageInput,
  attachments: Attachment[],
  allow8bit: boolean,
  raws: string[],
  boundary: () => string,
): Part {
  const text =
    input.text !== undefined ? textPart("text", "plain", input.text, allow8bit, raws) : undefined;
  let html =
    input.html !== undefined ? textPart("html", "html", input.html, allow8bit, raws) : undefined;
  const inline = html !== undefined ? attachments.filter((a) => a.cid !== undefined) : [];
  const regular = attachments.filter((a) => !inline.includes(a));
  if (html !== undefined && inline.length > 0) {
    html = {
      kind: "multipart",
      subtype: "related",
      boundary: boundary(),
      parts: [html, ...inline.map(attachmentLeaf)],
    };
  }
  let body: Part | undefined;
  if (text !== undefined && html !== undefined) {
    body = { kind: "multipart", subtype: "alternative", boundary: boundary(), parts: [text, html] };
  } else body = text ?? html;
  if (regular.length === 0) return body ?? textPart("text", "plain", "", allow8bit, raws);
  return {
    kind: "multipart",
    subtype: "mixed",
    boundary: boundary(),
    parts: [...(body !== undefined ? [body] : []), ...regular.map(attachmentLeaf)],
  };
}
