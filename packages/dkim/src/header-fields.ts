/**
 * One header field of the message, as a binary string (one character per octet, so 8-bit
 * octets pass through unchanged).
 *
 * @since 0.1.0
 */
export interface HeaderField {
  /** The field name in ASCII lower case, for matching; `""` for a line without a colon. */
  name: string;
  /** The whole field as it appears: name, colon, value, folded lines, ending in CRLF. */
  raw: string;
}

/**
 * Lower-cases ASCII letters only: other octets of a binary string must stay as they are.
 *
 * @since 0.1.0
 */
export function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

/**
 * Splits a header section (CRLF line ends, each field ending in CRLF) into fields: a line
 * that starts with a space or tab continues the field before it.
 *
 * @since 0.1.0
 */
export function parseHeaderFields(section: string): HeaderField[] {
  const fields: HeaderField[] = [];
  const lines = section.split("\r\n");
  lines.pop(); // after the last CRLF
  for (const line of lines) {
    const last = fields[fields.length - 1];
    if ((line.startsWith(" ") || line.startsWith("\t")) && last !== undefined) {
      last.raw += `${line}\r\n`;
      continue;
    }
    const colon = line.indexOf(":");
    const name = colon < 0 ? "" : asciiLower(line.slice(0, colon).replace(/[ \t]+$/, ""));
    fields.push({ name, raw: `${line}\r\n` });
  }
  return fields;
}

/**
 * The `relaxed` form of a field or of the signature's own field (RFC 6376 §3.4.2): name in
 * lower case, value unfolded, every run of spaces and tabs one space, none at either end or
 * around the colon. Only SP and HTAB count as whitespace: octets such as 0xA0 or 0x85 of a
 * UTF-8 value are content.
 *
 * @since 0.1.0
 */
export function relaxedField(raw: string): string {
  const body = raw.endsWith("\r\n") ? raw.slice(0, -2) : raw;
  const colon = body.indexOf(":");
  const name = asciiLower(body.slice(0, colon).replace(/[ \t]+$/, ""));
  const value = body
    .slice(colon + 1)
    .replace(/\r\n/g, "")
    .replace(/[ \t]+/g, " ")
    .replace(/^ | $/g, "");
  return `${name}:${value}\r\n`;
}

/**
 * The header data to hash (RFC 6376 §5.4.2): for each name of `names` in order, the last
 * field of that name not used yet, canonicalized. A name with no field left adds nothing
 * (which is how over-signing forbids adding one later).
 *
 * @since 0.1.0
 */
export function signedFieldsData(
  fields: readonly HeaderField[],
  names: readonly string[],
  relaxed: boolean,
): string {
  const byName = new Map<string, HeaderField[]>();
  for (const field of fields) {
    const same = byName.get(field.name);
    if (same === undefined) byName.set(field.name, [field]);
    else same.push(field);
  }
  let data = "";
  for (const name of names) {
    // Taken from the bottom up: pop() leaves the ones above for the next mention.
    const field = byName.get(name)?.pop();
    if (field !== undefined) data += relaxed ? relaxedField(field.raw) : field.raw;
  }
  return data;
}
