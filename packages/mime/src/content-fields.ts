import { type ContentSource, reopenableSource, toContentSource } from "./content.ts";
import { parseDataUrl } from "./data-url.ts";
import { decodeContent, toContentEncoding } from "./decode.ts";
import { MimeError } from "./errors.ts";
import { assertWellFormed } from "./text.ts";
import type { BuildOptions, MessageInput } from "./types.ts";

/** The content fields every part input has (attachments, alternatives, the calendar). */
export interface ContentFields {
  content?: unknown;
  path?: unknown;
  encoding?: unknown;
  size?: unknown;
}

/**
 * A part's resolved content: the source, the text when the content was a UTF-8 string
 * (text parts encode it as text), the media type of a `data:` URL, and the file name a
 * file path suggests.
 *
 * @since 0.1.0
 */
export interface ResolvedContent {
  source: ContentSource;
  text: string | undefined;
  dataType: string | undefined;
  pathName: string | undefined;
}

/** Longest accepted `path`, in characters (far above any file system's limit). */
const MAX_PATH = 4096;

/** `scheme://`, as URLs to fetch start (a Windows drive, `C:\…`, does not match). */
const URL_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/**
 * Whether a `path` value is a file for {@link BuildOptions.files} (not a `data:` URL, nor
 * any other URL, which are refused).
 *
 * @since 0.1.0
 */
export function isFilePath(path: string): boolean {
  return !URL_SCHEME.test(path) && !path.startsWith("data:");
}

/**
 * One file a message input names.
 *
 * @since 0.1.0
 */
export interface FilePath {
  /** Where it is named, e.g. `attachments[2].path`. */
  field: string;
  /** The path as given. */
  path: string;
}

/**
 * The file paths a message input names (attachments, alternatives, the calendar), with the
 * field of each (`attachments[2].path`), for the caller that supplies
 * {@link BuildOptions.files}. Malformed fields are skipped here: `createMessage` refuses
 * them with the right field name.
 *
 * @since 0.1.0
 */
export function filePathsOf(input: MessageInput): FilePath[] {
  if (typeof input !== "object" || input === null) return [];
  // The usual message has no content fields at all.
  if (
    input.attachments === undefined &&
    input.alternatives === undefined &&
    input.icalEvent === undefined
  ) {
    return [];
  }
  const parts: [string, unknown][] = [];
  const list = (name: "attachments" | "alternatives") => {
    const value = input[name];
    if (!Array.isArray(value)) return;
    value.forEach((part, i) => {
      parts.push([`${name}[${i}]`, part]);
    });
  };
  list("attachments");
  list("alternatives");
  parts.push(["icalEvent", input.icalEvent]);
  const paths: FilePath[] = [];
  for (const [field, part] of parts) {
    if (typeof part !== "object" || part === null) continue;
    const path = (part as ContentFields).path;
    if (typeof path === "string" && path !== "" && isFilePath(path)) {
      paths.push({ field: `${field}.path`, path });
    }
  }
  return paths;
}

/** The last component of a path: empty after a trailing separator, which `toFilename` reads as no name. */
function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1);
}

function fromPath(field: string, path: unknown, options: BuildOptions): ResolvedContent {
  if (typeof path !== "string" || path === "" || path.includes("\0")) {
    throw new MimeError(field, "must be a non-empty string without NUL");
  }
  if (path.length > MAX_PATH) throw new MimeError(field, `longer than ${MAX_PATH} characters`);
  if (path.startsWith("data:")) {
    const data = parseDataUrl(field, path);
    return {
      source: { kind: "bytes", bytes: data.bytes },
      text: undefined,
      dataType: data.mediaType,
      pathName: undefined,
    };
  }
  if (!isFilePath(path)) {
    throw new MimeError(
      field,
      "URLs are not fetched: pass the response body as content, e.g. content: (await fetch(url)).body",
    );
  }
  if (options.files === undefined) {
    throw new MimeError(field, "a file needs BuildOptions.files (createMessage reads no files)");
  }
  const file = options.files(path);
  if (file === undefined)
    throw new MimeError(field, `the file ${JSON.stringify(path)} is not available`);
  return {
    source: reopenableSource(field, file),
    text: undefined,
    dataType: undefined,
    pathName: baseName(path),
  };
}

/**
 * Resolves a part's `content` or `path` (exactly one) into a {@link ResolvedContent}. A
 * string content is decoded per `encoding` (UTF-8 by default); `encoding` is refused for
 * any other content.
 *
 * @param field - the part's field, e.g. `attachments[2]`.
 * @throws MimeError naming the offending sub-field.
 * @since 0.1.0
 */
export function resolveContent(
  field: string,
  input: ContentFields,
  options: BuildOptions,
): ResolvedContent {
  const encoding = toContentEncoding(`${field}.encoding`, input.encoding);
  if (input.path !== undefined) {
    if (input.content !== undefined) {
      throw new MimeError(field, "give content or path, not both");
    }
    if (encoding !== undefined) {
      throw new MimeError(`${field}.encoding`, "applies to string content only, not to a path");
    }
    if (input.size !== undefined) {
      throw new MimeError(`${field}.size`, "applies to stream content only, not to a path");
    }
    return fromPath(`${field}.path`, input.path, options);
  }
  const contentField = `${field}.content`;
  const content = input.content;
  if (content === undefined || content === null) throw new MimeError(contentField, "is required");
  let text: string | undefined;
  let value = content;
  if (typeof content === "string") {
    if (encoding === undefined || encoding === "utf-8" || encoding === "utf8") {
      assertWellFormed(contentField, content);
      text = content;
    } else value = decodeContent(contentField, content, encoding);
  } else if (encoding !== undefined) {
    throw new MimeError(`${field}.encoding`, "applies to string content only");
  }
  const source = toContentSource(contentField, value as never, input.size as never);
  return { source, text, dataType: undefined, pathName: undefined };
}
