import { type Mailbox, toEnvelopeAddress, toMailboxList, toSingleMailbox } from "./address.ts";
import { base64Stream } from "./base64.ts";
import { type ContentSource, openContent, toContentSource } from "./content.ts";
import { formatDate } from "./date.ts";
import { MimeError } from "./errors.ts";
import { type ExtraHeader, toExtraHeaders } from "./extra-headers.ts";
import { foldHeader } from "./header-fold.ts";
import { addressListWords, unstructuredWords } from "./header-values.ts";
import { mediaTypeFor } from "./media-types.ts";
import { toMsgId, toMsgIdList } from "./msg-id.ts";
import { joinParameters, legacyNameWords, parameterWords } from "./parameters.ts";
import {
  layout,
  type Part,
  type Segment,
  type StreamLeaf,
  segmentsSize,
  toSegments,
} from "./parts.ts";
import {
  assertHeaderSafe,
  assertString,
  assertWellFormed,
  hex,
  isAscii,
  isPrintableAscii,
} from "./text.ts";
import { encodeText } from "./text-body.ts";
import type {
  AttachmentInput,
  BuildOptions,
  EnvelopeAddress,
  Message,
  MessageInput,
  Priority,
  StreamOptions,
} from "./types.ts";

const PRIORITIES: Readonly<Record<Priority, [string, string]>> = {
  high: ["1 (Highest)", "High"],
  normal: ["3 (Normal)", "Normal"],
  low: ["5 (Lowest)", "Low"],
};

/** Output pieces are yielded in slices of at most this many octets. */
const YIELD_SIZE = 64 * 1024;

interface Attachment {
  field: string;
  filename: string | undefined;
  contentType: string;
  cid: string | undefined;
  disposition: "attachment" | "inline";
  source: ContentSource;
}

function checkOptions(options: BuildOptions): void {
  if (typeof options !== "object" || options === null)
    throw new MimeError("options", "must be an object");
  if (!(options.now instanceof Date) || Number.isNaN(options.now.getTime())) {
    throw new MimeError("options.now", "must be a valid Date");
  }
  if (typeof options.randomBytes !== "function")
    throw new MimeError("options.randomBytes", "must be a function");
  if (
    options.timeZoneOffset !== undefined &&
    !(Number.isInteger(options.timeZoneOffset) && Math.abs(options.timeZoneOffset) < 24 * 60)
  ) {
    throw new MimeError("options.timeZoneOffset", "must be whole minutes within ±24 h");
  }
}

function random(options: BuildOptions, length: number): Uint8Array {
  const bytes = options.randomBytes(length);
  if (!(bytes instanceof Uint8Array) || bytes.length < length) {
    throw new MimeError("options.randomBytes", `must return a Uint8Array of ${length} octets`);
  }
  return bytes;
}

function checkMediaType(field: string, value: string): void {
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

function toAttachment(input: AttachmentInput, index: number): Attachment {
  const field = `attachments[${index}]`;
  if (typeof input !== "object" || input === null) throw new MimeError(field, "must be an object");
  let filename: string | undefined;
  if (input.filename !== undefined) {
    assertString(`${field}.filename`, input.filename);
    assertHeaderSafe(`${field}.filename`, input.filename);
    if (input.filename.length > 1000)
      throw new MimeError(`${field}.filename`, "longer than 1000 characters");
    // An empty name is no name.
    if (input.filename !== "") filename = input.filename;
  }
  let contentType = mediaTypeFor(filename);
  if (input.contentType !== undefined) {
    assertString(`${field}.contentType`, input.contentType);
    checkMediaType(`${field}.contentType`, input.contentType);
    contentType = input.contentType.trim();
  }
  let cid: string | undefined;
  if (input.cid !== undefined) {
    cid = toMsgId(`${field}.cid`, input.cid).slice(1, -1);
  }
  const disposition = input.disposition ?? (cid !== undefined ? "inline" : "attachment");
  if (disposition !== "attachment" && disposition !== "inline") {
    throw new MimeError(`${field}.disposition`, `must be "attachment" or "inline"`);
  }
  if (input.content === undefined || input.content === null)
    throw new MimeError(`${field}.content`, "is required");
  if (typeof input.content === "string") assertWellFormed(`${field}.content`, input.content);
  if (
    typeof input.content === "string" &&
    /^text\//i.test(contentType) &&
    !/;\s*charset=/i.test(contentType)
  ) {
    contentType += "; charset=utf-8";
  }
  const source = toContentSource(`${field}.content`, input.content, input.size);
  return { field, filename, contentType, cid, disposition, source };
}

function attachmentLeaf(a: Attachment): StreamLeaf {
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

/** Picks the structure from the content: related around HTML, alternative, mixed outermost. */
function buildTree(
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

/**
 * Builds a message: validates everything synchronously (throwing {@link MimeError} before
 * any byte is produced), chooses the MIME structure and encodings, and returns a
 * {@link Message} whose bytes are produced on demand by `stream()`.
 *
 * @throws MimeError on any invalid input, naming the field.
 * @since 0.1.0
 */
export function createMessage(input: MessageInput, options: BuildOptions): Message {
  checkOptions(options);
  if (typeof input !== "object" || input === null)
    throw new MimeError("input", "must be an object");
  const smtpUtf8 = options.smtpUtf8 === true;
  const allow8bit = options.allow8bit === true;

  if (input.from === undefined) throw new MimeError("from", "is required");
  const from = toSingleMailbox("from", input.from, smtpUtf8);
  const sender =
    input.sender !== undefined ? toSingleMailbox("sender", input.sender, smtpUtf8) : undefined;
  const to = toMailboxList("to", input.to, smtpUtf8);
  const cc = toMailboxList("cc", input.cc, smtpUtf8);
  const bcc = toMailboxList("bcc", input.bcc, smtpUtf8);
  const replyTo = toMailboxList("replyTo", input.replyTo, smtpUtf8);

  const envelope = buildEnvelope(input, sender ?? from, [...to, ...cc, ...bcc], smtpUtf8);

  if (input.subject !== undefined) {
    assertString("subject", input.subject);
    assertHeaderSafe("subject", input.subject);
  }
  if (input.text !== undefined) assertString("text", input.text);
  if (input.html !== undefined) assertString("html", input.html);
  if (input.priority !== undefined && !Object.hasOwn(PRIORITIES, input.priority)) {
    throw new MimeError(
      "priority",
      `must be "high", "normal" or "low", not ${JSON.stringify(input.priority)}`,
    );
  }
  const extra: ExtraHeader[] = toExtraHeaders(input.headers, input.priority !== undefined);
  const inReplyTo =
    input.inReplyTo !== undefined ? toMsgId("inReplyTo", input.inReplyTo) : undefined;
  const references =
    input.references !== undefined ? toMsgIdList("references", input.references) : undefined;
  const date = input.date ?? options.now;
  if (!(date instanceof Date) || Number.isNaN(date.getTime()))
    throw new MimeError("date", "must be a valid Date");
  if (input.attachments !== undefined && !Array.isArray(input.attachments)) {
    throw new MimeError("attachments", "must be an array");
  }
  const attachments = (input.attachments ?? []).map(toAttachment);

  const messageId =
    input.messageId !== undefined
      ? toMsgId("messageId", input.messageId)
      : `<${hex(random(options, 16))}@${idDomain(from, options)}>`;

  // Boundaries: "=_" never occurs in base64 or quoted-printable output, and raw (7bit/8bit)
  // bodies are checked, so a delimiter can never appear inside a part.
  const raws: string[] = [];
  const boundaries: string[] = [];
  const boundary = (): string => {
    for (let attempt = 0; attempt < 16; attempt++) {
      const candidate = `=_${hex(random(options, 12))}`;
      if (!boundaries.includes(candidate)) {
        boundaries.push(candidate);
        return candidate;
      }
    }
    throw new MimeError("options.randomBytes", "keeps returning the same bytes");
  };
  let tree = buildTree(input, attachments, allow8bit, raws, boundary);
  for (let attempt = 0; boundaries.some((b) => raws.some((r) => r.includes(b))); attempt++) {
    if (attempt >= 16)
      throw new MimeError("options.randomBytes", "no boundary absent from the content");
    boundaries.length = 0;
    raws.length = 0;
    tree = buildTree(input, attachments, allow8bit, raws, boundary);
  }

  let headers = "";
  const offset = options.timeZoneOffset ?? -date.getTimezoneOffset();
  headers += `Date: ${formatDate(date.getTime(), offset)}\r\n`;
  headers += foldHeader("From", addressListWords("From", [from], smtpUtf8));
  if (sender !== undefined)
    headers += foldHeader("Sender", addressListWords("Sender", [sender], smtpUtf8));
  if (replyTo.length > 0)
    headers += foldHeader("Reply-To", addressListWords("Reply-To", replyTo, smtpUtf8));
  if (to.length > 0) headers += foldHeader("To", addressListWords("To", to, smtpUtf8));
  if (cc.length > 0) headers += foldHeader("Cc", addressListWords("Cc", cc, smtpUtf8));
  headers += foldHeader("Message-ID", [messageId]);
  if (inReplyTo !== undefined) headers += foldHeader("In-Reply-To", [inReplyTo]);
  if (references !== undefined && references.length > 0)
    headers += foldHeader("References", references);
  if (input.subject !== undefined)
    headers += foldHeader("Subject", unstructuredWords("Subject", input.subject, smtpUtf8));
  if (input.priority !== undefined) {
    const [xPriority, importance] = PRIORITIES[input.priority];
    headers += `X-Priority: ${xPriority}\r\nImportance: ${importance}\r\n`;
  }
  for (const h of extra)
    headers += foldHeader(h.name, unstructuredWords(h.name, h.value, smtpUtf8));
  headers += "MIME-Version: 1.0\r\n";

  const pieces: (string | Uint8Array | StreamLeaf)[] = [];
  layout(tree, headers, pieces, true);
  const segments = toSegments(pieces);
  const headersAscii = isAscii(headers);
  const envelopeAscii =
    (envelope.from === null || isAscii(envelope.from.address)) &&
    envelope.to.every((a) => isAscii(a.address));
  const bodies8bit = raws.some((r) => !isAscii(r));

  return {
    messageId,
    envelope,
    size: segmentsSize(segments),
    eightBit: !headersAscii || bodies8bit,
    smtpUtf8: smtpUtf8 && !(headersAscii && envelopeAscii),
    stream: (streamOptions?: StreamOptions) =>
      streamSegments(segments, streamOptions?.reuseBuffers === true),
  };
}

function idDomain(from: Mailbox, options: BuildOptions): string {
  if (!from.domain.ascii.startsWith("[")) return from.domain.ascii;
  const hostname = options.hostname ?? "localhost";
  assertHeaderSafe("options.hostname", hostname);
  if (!/^[A-Za-z0-9.-]{1,253}$/.test(hostname))
    throw new MimeError("options.hostname", "must be an ASCII host name");
  return hostname;
}

function buildEnvelope(
  input: MessageInput,
  defaultFrom: Mailbox,
  recipients: Mailbox[],
  smtpUtf8: boolean,
): { from: EnvelopeAddress | null; to: EnvelopeAddress[] } {
  const override = input.envelope;
  if (override !== undefined && (typeof override !== "object" || override === null)) {
    throw new MimeError("envelope", "must be { from, to }");
  }
  let from: EnvelopeAddress | null;
  if (override?.from === null || override?.from === "") from = null;
  else if (override?.from !== undefined) {
    from = toEnvelopeAddress(
      "envelope.from",
      toSingleMailbox("envelope.from", override.from, smtpUtf8),
      smtpUtf8,
    );
  } else from = toEnvelopeAddress("from", defaultFrom, smtpUtf8);
  let to: EnvelopeAddress[];
  if (override?.to !== undefined) {
    to = toMailboxList("envelope.to", override.to, smtpUtf8).map((m, i) =>
      toEnvelopeAddress(`envelope.to[${i}]`, m, smtpUtf8),
    );
  } else to = recipients.map((m, i) => toEnvelopeAddress(`recipients[${i}]`, m, smtpUtf8));
  const seen = new Set<string>();
  const unique: EnvelopeAddress[] = [];
  for (const a of to) {
    const key = `${a.local}@${a.domain.toLowerCase()}`;
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(a);
  }
  return { from, to: unique };
}

function streamSegments(segments: readonly Segment[], reuse: boolean): AsyncIterable<Uint8Array> {
  // A second pass fails here, at the call, rather than halfway through the bytes.
  for (const s of segments) {
    if (!(s instanceof Uint8Array) && s.source.kind === "stream" && s.source.consumed()) {
      throw new MimeError(s.field, "stream content was already consumed by an earlier stream()");
    }
  }
  return generateSegments(segments, reuse);
}

async function* generateSegments(
  segments: readonly Segment[],
  reuse: boolean,
): AsyncGenerator<Uint8Array, void, undefined> {
  for (const segment of segments) {
    if (segment instanceof Uint8Array) {
      for (let i = 0; i < segment.length; i += YIELD_SIZE) {
        const end = Math.min(i + YIELD_SIZE, segment.length);
        // A copy unless reusing: the consumer owns its chunk and may change it freely
        // without touching the bytes of a later pass.
        yield reuse ? segment.subarray(i, end) : segment.slice(i, end);
      }
    } else {
      yield* base64Stream(openContent(segment.source), reuse);
    }
  }
}

/**
 * Collects a message's bytes into one array: for small messages and tests.
 *
 * @since 0.1.0
 */
export async function toBytes(message: Message): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of message.stream()) {
    chunks.push(chunk);
    length += chunk.length;
  }
  const out = new Uint8Array(length);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
