import { type Attachment, checkMediaType, toFilename } from "./attachment.ts";
import { type ResolvedContent, resolveContent } from "./content-fields.ts";
import { MimeError } from "./errors.ts";
import { assertString } from "./text.ts";
import type { AlternativeInput, BuildOptions, IcalEventInput } from "./types.ts";

/**
 * A validated extra alternative body.
 *
 * @since 0.1.0
 */
export interface Alternative {
  field: string;
  contentType: string;
  content: ResolvedContent;
}

/** Most extra alternatives per message: far above any real use (text, AMP, a calendar…). */
const MAX_ALTERNATIVES = 16;

/**
 * Validates `alternatives` (fields `alternatives[i].…`).
 *
 * @throws MimeError on any invalid field.
 * @since 0.1.0
 */
export function toAlternatives(input: unknown, options: BuildOptions): Alternative[] {
  if (input === undefined) return [];
  if (!Array.isArray(input)) throw new MimeError("alternatives", "must be an array");
  if (input.length > MAX_ALTERNATIVES) {
    throw new MimeError("alternatives", `more than ${MAX_ALTERNATIVES} alternatives`);
  }
  return (input as unknown[]).map((item, i) => {
    const field = `alternatives[${i}]`;
    if (typeof item !== "object" || item === null) throw new MimeError(field, "must be an object");
    const alternative = item as AlternativeInput;
    if (alternative.contentType === undefined) {
      throw new MimeError(`${field}.contentType`, "is required");
    }
    assertString(`${field}.contentType`, alternative.contentType);
    checkMediaType(`${field}.contentType`, alternative.contentType);
    const content = resolveContent(field, alternative, options);
    return { field, contentType: alternative.contentType.trim(), content };
  });
}

/**
 * A validated calendar invitation: the `text/calendar` alternative and the `.ics`
 * attachment share one content (which is why it may not be a one-shot stream).
 *
 * @since 0.1.0
 */
export interface CalendarEvent {
  /** The `text/calendar; charset=utf-8; method=…` alternative. */
  alternative: Alternative;
  /** The `application/ics` attachment. */
  attachment: Attachment;
}

const METHOD = /^[A-Za-z0-9-]{1,64}$/;
/** The `METHOD` property line of an iCalendar text (RFC 5545 §3.7.2). */
const METHOD_LINE = /^METHOD:([^\r\n]*)/im;

function contentMethod(content: ResolvedContent): string | undefined {
  const source = content.source;
  if (source.kind !== "bytes") return undefined;
  const text = content.text ?? new TextDecoder().decode(source.bytes);
  const line = METHOD_LINE.exec(text);
  return line === null ? undefined : line[1]!.trim().toUpperCase();
}

/**
 * Validates `icalEvent`: the method (given, or the content's own `METHOD:` line, or
 * `PUBLISH`), the content (`content` as text or bytes, or `path`) and the file name.
 *
 * @throws MimeError on any invalid field.
 * @since 0.1.0
 */
export function toCalendarEvent(input: unknown, options: BuildOptions): CalendarEvent | undefined {
  if (input === undefined) return undefined;
  const field = "icalEvent";
  if (typeof input !== "object" || input === null) throw new MimeError(field, "must be an object");
  const event = input as IcalEventInput;
  const raw = event.content as unknown;
  if (raw !== undefined && typeof raw !== "string" && !(raw instanceof Uint8Array)) {
    throw new MimeError(
      `${field}.content`,
      "must be a string or a Uint8Array (it is sent twice: as the invitation and as the .ics file)",
    );
  }
  const content = resolveContent(field, event, options);
  const found = contentMethod(content);
  if (found !== undefined && !METHOD.test(found)) {
    throw new MimeError(`${field}.content`, "its METHOD line does not hold a method name");
  }
  let method = found ?? "PUBLISH";
  if (event.method !== undefined) {
    assertString(`${field}.method`, event.method);
    if (!METHOD.test(event.method)) {
      throw new MimeError(`${field}.method`, "must be an iTIP method name such as REQUEST");
    }
    method = event.method.toUpperCase();
    if (found !== undefined && found !== method) {
      throw new MimeError(
        `${field}.method`,
        `is ${method} but the calendar says METHOD:${found} (Outlook needs them to match)`,
      );
    }
  }
  const filename = toFilename(`${field}.filename`, event.filename, undefined) ?? "invite.ics";
  return {
    alternative: {
      field,
      contentType: `text/calendar; charset=utf-8; method=${method}`,
      content,
    },
    attachment: {
      field,
      filename,
      contentType: "application/ics",
      cid: undefined,
      disposition: "attachment",
      source: content.source,
    },
  };
}
