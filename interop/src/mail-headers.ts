/**
 * Just enough RFC 5322 header reading to find a stored message and its envelope sender:
 * the header block is unfolded and split into fields (names lower-cased, in order).
 * Bodies and attachments are left to mailparser.
 */

/** One header field, name lower-cased, value unfolded and trimmed. @since 0.1.0 */
export interface HeaderField {
  name: string;
  value: string;
}

/** The end of the header block: the offset of the first empty line, or the whole text. */
function headerEnd(text: string): number {
  const crlf = text.indexOf("\r\n\r\n");
  const lf = text.indexOf("\n\n");
  if (crlf === -1) return lf === -1 ? text.length : lf;
  return lf === -1 ? crlf : Math.min(crlf, lf);
}

/**
 * The header fields of a message (CRLF or LF line ends), in order.
 *
 * @since 0.1.0
 */
export function parseHeaders(raw: Uint8Array | string): HeaderField[] {
  const text = typeof raw === "string" ? raw : headerText(raw);
  const fields: HeaderField[] = [];
  for (const line of text.slice(0, headerEnd(text)).split(/\r?\n/)) {
    const last = fields[fields.length - 1];
    if (/^[ \t]/.test(line) && last !== undefined) {
      last.value = `${last.value} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    fields.push({
      name: line.slice(0, colon).trim().toLowerCase(),
      value: line.slice(colon + 1).trim(),
    });
  }
  return fields;
}

/** Decodes only the start of a large message: headers never need more. */
function headerText(raw: Uint8Array): string {
  return new TextDecoder().decode(raw.subarray(0, Math.min(raw.length, 256 * 1024)));
}

/** The first value of header `name`, if any. @since 0.1.0 */
export function header(fields: readonly HeaderField[], name: string): string | undefined {
  const wanted = name.toLowerCase();
  return fields.find((f) => f.name === wanted)?.value;
}

/**
 * The address inside `<…>` of a Return-Path or Message-ID value (`<>` gives `""`), or the
 * trimmed value when it has no angle brackets.
 *
 * @since 0.1.0
 */
export function angleAddress(value: string): string {
  const match = /<([^>]*)>/.exec(value);
  return (match ? match[1]! : value).trim();
}
