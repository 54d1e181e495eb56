import { toMailboxList, toSingleMailbox } from "./address.ts";
import { toAlternatives, toCalendarEvent } from "./alternatives.ts";
import { toAttachment } from "./attachment.ts";
import { formatDate } from "./date.ts";
import { buildEnvelope, idDomain } from "./envelope.ts";
import { MimeError } from "./errors.ts";
import { type ExtraHeader, toExtraHeaders } from "./extra-headers.ts";
import { foldHeader } from "./header-fold.ts";
import { addressListWords, unstructuredWords } from "./header-values.ts";
import { listHeaders } from "./list-headers.ts";
import { toMsgId, toMsgIdList } from "./msg-id.ts";
import { segmentsReplayable, segmentsSinglePass, singleSegment, streamSegments } from "./output.ts";
import { layout, type Part, type Piece, type Segment, segmentsSize, toSegments } from "./parts.ts";
import { createRawMessage } from "./raw.ts";
import { buildTree } from "./structure.ts";
import { assertHeaderSafe, assertString, hex, isAscii } from "./text.ts";
import type { BuildOptions, Message, MessageInput, Priority, StreamOptions } from "./types.ts";

const PRIORITIES: Readonly<Record<Priority, [string, string]>> = {
  high: ["1 (Highest)", "High"],
  normal: ["3 (Normal)", "Normal"],
  low: ["5 (Lowest)", "Low"],
};

function checkOptions(options: BuildOptions): void {
  if (typeof options !== "object" || options === null)
    throw new MimeError("options", "must be an object");
  if (!(options.now instanceof Date) || Number.isNaN(options.now.getTime())) {
    throw new MimeError("options.now", "must be a valid Date");
  }
  if (typeof options.randomBytes !== "function")
    throw new MimeError("options.randomBytes", "must be a function");
  if (options.files !== undefined && typeof options.files !== "function") {
    throw new MimeError("options.files", "must be a function");
  }
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
  if (input.raw !== undefined) return createRawMessage(input, options);
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

  const envelope = buildEnvelope(
    input,
    () => sender ?? from,
    () => [...to, ...cc, ...bcc],
    smtpUtf8,
  );

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
  if (
    input.textEncoding !== undefined &&
    input.textEncoding !== "quoted-printable" &&
    input.textEncoding !== "base64"
  ) {
    throw new MimeError("textEncoding", `must be "quoted-printable" or "base64"`);
  }
  const extra: ExtraHeader[] = toExtraHeaders(input.headers, input.priority !== undefined);
  const list = listHeaders(input.list, smtpUtf8);
  for (const h of extra) {
    if (list.names.some((name) => name.toLowerCase() === h.name.toLowerCase())) {
      throw new MimeError(`headers.${h.name}`, "is written from the list field: set it there");
    }
  }
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
  const attachments = (input.attachments ?? []).map((a, i) => toAttachment(a, i, options));
  const alternatives = toAlternatives(input.alternatives, options);
  const calendar = toCalendarEvent(input.icalEvent, options);

  const messageId =
    input.messageId !== undefined
      ? toMsgId("messageId", input.messageId)
      : `<${hex(random(options, 16))}@${idDomain(from, options)}>`;

  // Boundaries: "=_" never occurs in base64 or quoted-printable output, and a candidate
  // found in a raw (7bit/8bit) body is drawn again, so a delimiter can never appear inside
  // a part. buildTree encodes every body (filling `raws`) before it asks for a boundary,
  // so the bodies are encoded once, whatever the draws.
  const raws: string[] = [];
  const boundaries: string[] = [];
  const boundary = (): string => {
    for (let attempt = 0; attempt < 16; attempt++) {
      const candidate = `=_${hex(random(options, 12))}`;
      if (!boundaries.includes(candidate) && !raws.some((r) => r.includes(candidate))) {
        boundaries.push(candidate);
        return candidate;
      }
    }
    throw new MimeError(
      "options.randomBytes",
      "keeps returning boundaries already used or present in the content",
    );
  };
  const tree = buildTree(input, { attachments, alternatives, calendar }, allow8bit, raws, boundary);

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
  headers += list.text;
  for (const h of extra)
    headers += foldHeader(h.name, unstructuredWords(h.name, h.value, smtpUtf8));
  headers += "MIME-Version: 1.0\r\n";

  const pieces: Piece[] = [];
  layout(tree, headers, pieces, true);
  const segments = toSegments(pieces);
  const headersAscii = isAscii(headers);
  const envelopeAscii =
    (envelope.from === null || isAscii(envelope.from.address)) &&
    envelope.to.every((a) => isAscii(a.address));
  const bodies8bit = tree8bit(tree);
  return messageOf(segments, {
    messageId,
    envelope,
    eightBit: !headersAscii || bodies8bit,
    smtpUtf8: smtpUtf8 && !(headersAscii && envelopeAscii),
  });
}

/**
 * The {@link Message} over its built `segments`. A function of its own so that its
 * closures keep only the segments alive: closures made in `createMessage` would share its
 * scope, and so keep the parsed addresses, the options and every raw body's text (a second
 * copy of the message) for as long as the message lives, which in a pool is until it is sent.
 */
function messageOf(
  segments: Segment[],
  fields: Pick<Message, "messageId" | "envelope" | "eightBit" | "smtpUtf8">,
): Message {
  const stream = (streamOptions?: StreamOptions) =>
    streamSegments(segments, streamOptions?.reuseBuffers === true);
  const size = segmentsSize(segments);
  const singlePass = segmentsSinglePass(segments);
  const singleChunk = () => singleSegment(segments);
  const message: Message = {
    messageId: fields.messageId,
    envelope: fields.envelope,
    size,
    eightBit: fields.eightBit,
    smtpUtf8: fields.smtpUtf8,
    stream,
    replayable: true,
    singlePass,
    singleChunk,
  };
  // Only one-shot stream content can be used up: without it `replayable` stays true, a
  // plain data property. A getter puts the object in V8's dictionary mode (its properties
  // in a hash table: about 450 bytes more for every message in flight, and slower to
  // read), which only single-pass messages pay. Either way it is an own enumerable
  // property, so a spread copies its value.
  if (singlePass) {
    Object.defineProperty(message, "replayable", {
      get: () => segmentsReplayable(segments),
      enumerable: true,
      configurable: true,
    });
  }
  return message;
}

/** Whether a text part of the tree went out as 8bit. */
function tree8bit(part: Part): boolean {
  if (part.kind === "text") return part.eightBit;
  return part.kind === "multipart" && part.parts.some(tree8bit);
}
