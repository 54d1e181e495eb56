import type { ContentSource } from "./content.ts";
import { resolveContent } from "./content-fields.ts";
import { MimeError } from "./errors.ts";
import { foldHeader } from "./header-fold.ts";
import { mediaTypeFor } from "./media-types.ts";
import { toMsgId } from "./msg-id.ts";
import { joinParameters, legacyNameWords, parameterWords } from "./parameters.ts";
import type { StreamLeaf } from "./parts.ts";
import { assertHeaderSafe, assertString, isPrintableAscii } from "./text.ts";
import type { AttachmentInput, BuildOptions } from "./types.ts";

/**
 * A validated attachment.
 *
 * @since 0.1.0
 */
export interface Attachment {
  field: string;
  filename: string | undefined;
  contentType: string;
  cid: string | undefined;
  disposition: "attachment" | "inline";
  source: ContentSource;
}

/**
 * Checks a `contentType` value: `type/subtype` with optional parameters, printable ASCII.
 * Multipart and message types are refused: the builder writes those itself.
 *
 * @since 0.1.0
 */
export function checkMediaType(field: string, value: string): void {
  assertHeaderSafe(field, value);
  const semicolon = value.indexOf(";");
  const type = (semicolon < 0 ? value : value.slice(0, semicolon)).trim();
  if (
    !isPrintableAscii(value) ||
    !/^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$/.test(type)
  ) {
    throw new MimeError(field, `invalid media type ${JSON.stringify(value)}`);
  }
  if (value.length > 900) throw new MimeError(field, "longer than 900 characters");
  if (/^multipart\//i.test(type) || /^message\//i.test(type)) {
    throw new MimeError(field, `${type} attachments are not supported (they cannot be base64)`);
  }
}

/**
 * Validates one attachment input (fields `attachments[i].…`).
 *
 * @throws MimeError on any invalid field.
 * @since 0.1.0
 */
export function toAttachment(
  input: AttachmentInput,
  index: number,
  options: BuildOptions,
): Attachment {
  const field = `attachments[${index}]`;
  if (typeof input !== "object" || input === null) throw new MimeError(field, "must be an object");
  const content = resolveContent(field, input, options);
  const filename = toFilename(`${field}.filename`, input.filename, content.pathName);
  let contentType = content.dataType ?? mediaTypeFor(filename);
  if (content.dataType !== undefined && input.contentType === undefined) {
    checkMediaType(`${field}.path`, contentType);
  }
  if (input.contentType !== undefined) {
    assertString(`${field}.contentType`, input.contentType);
    checkMediaType(`${field}.contentType`, input.contentType);
    contentType = input.contentType.trim();
  }
  let cid: string | undefined;
  if (input.cid !== undefined) {
    cid = toMsgId(`${field}.cid`, input.cid, true).slice(1, -1);
  }
  const disposition = input.disposition ?? (cid !== undefined ? "inline" : "attachment");
  if (disposition !== "attachment" && disposition !== "inline") {
    throw new MimeError(`${field}.disposition`, `must be "attachment" or "inline"`);
  }
  if (
    content.text !== undefined &&
    /^text\//i.test(contentType) &&
    !/;\s*charset=/i.test(contentType)
  ) {
    contentType += "; charset=utf-8";
  }
  return { field, filename, contentType, cid, disposition, source: content.source };
}

/**
 * Checks a `filename` field; an empty name is no name. Without one, `fallback` (a file
 * path's last component) is used.
 *
 * @since 0.1.0
 */
export function toFilename(
  field: string,
  value: unknown,
  fallback: string | undefined,
): string | undefined {
  const name = value === undefined ? fallback : value;
  if (name === undefined) return undefined;
  assertString(field, name);
  assertHeaderSafe(field, name);
  if (name.length > 1000) throw new MimeError(field, "longer than 1000 characters");
  return name === "" ? undefined : name;
}

/**
 * The MIME leaf of an attachment: Content-Type (with a legacy `name=`), base64,
 * Content-Disposition (RFC 2231 filename) and Content-ID.
 *
 * @since 0.1.0
 */
export function attachmentLeaf(a: Attachment): StreamLeaf {
  const typeWords = a.contentType.split(/\s+/).filter((w) => w !== "");
  const typeParams: string[][] = [typeWords];
  if (a.filename !== undefined && !/(^|[;\s])name\s*=/i.test(a.contentType)) {
    typeParams.push(legacyNameWords("name", a.filename));
  }
  let headers = foldHeader("Content-Type", joinParameters(typeParams));
  headers += "Content-Transfer-Encoding: base64\r\n";
  const disposition: string[][] = [[a.disposition]];
  if (a.filename !== undefined) disposition.push(...parameterWords("filename", a.filename));
  headers += foldHeader("Content-Disposition", joinParameters(disposition));
  if (a.cid !== undefined) headers += foldHeader("Content-ID", [`<${a.cid}>`]);
  return { kind: "base64", headers, source: a.source, field: `${a.field}.content` };
}
