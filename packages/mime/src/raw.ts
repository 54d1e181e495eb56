import { type Mailbox, toMailboxes } from "./address.ts";
import { isAsyncIterable, isReadableStream, readStream } from "./content.ts";
import { buildEnvelope } from "./envelope.ts";
import { MimeError } from "./errors.ts";
import { LineEndNormalizer, normalizeLineEnds } from "./line-ends.ts";
import { singleSegment, streamSegments } from "./output.ts";
import { assertWellFormed, isAscii, utf8 } from "./text.ts";
import type { BuildOptions, Message, MessageInput, StreamOptions } from "./types.ts";

/**
 * The longest header section {@link readRawHeaders} reads ahead, in octets (far above
 * real messages, even with long trace and signature chains).
 *
 * @since 0.1.0
 */
export const MAX_RAW_HEADER = 1024 * 1024;

/**
 * A raw message stream whose header section was read ahead by {@link readRawHeaders}. It
 * still yields the whole message (line ends already CRLF), once.
 *
 * @since 0.1.0
 */
export interface RawMessageStream extends AsyncIterable<Uint8Array> {
  /** The header section, CRLF line ends, up to and including the empty line that ends it. */
  readonly head: Uint8Array;
}

/** The streams readRawHeaders made: only those carry a head createMessage trusts. */
const PEEKED = new WeakSet<object>();

/** Every input field a raw message cannot be combined with. */
const COMPOSE_FIELDS = [
  "from",
  "sender",
  "to",
  "cc",
  "bcc",
  "replyTo",
  "inReplyTo",
  "references",
  "subject",
  "text",
  "html",
  "attachments",
  "alternatives",
  "icalEvent",
  "list",
  "headers",
  "priority",
  "date",
  "messageId",
  "textEncoding",
] as const;

function toIterable(field: string, value: unknown): AsyncIterable<Uint8Array> | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  if (isReadableStream(value)) {
    if (value.locked) throw new MimeError(field, "ReadableStream is locked (already being read)");
    return readStream(value);
  }
  return isAsyncIterable(value) ? value : undefined;
}

/**
 * Reads a raw message stream up to the end of its header section (at most `limit`
 * octets), so that `createMessage` can take the envelope from its headers and check them.
 * Returns a stream of the whole message (nothing is lost); the rest is not read yet.
 *
 * @throws MimeError (`raw`) when the header section is longer than `limit`, or the stream
 *   yields something other than `Uint8Array` chunks.
 * @since 0.1.0
 */
export async function readRawHeaders(
  raw: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  limit = MAX_RAW_HEADER,
): Promise<RawMessageStream> {
  const source = toIterable("raw", raw);
  if (source === undefined) throw new MimeError("raw", "must be a ReadableStream or AsyncIterable");
  const iterator = source[Symbol.asyncIterator]();
  const normalizer = new LineEndNormalizer();
  const read: Uint8Array[] = [];
  let done = false;
  while (normalizer.bodyStart === undefined && !done) {
    const next = await iterator.next();
    if (next.done) {
      read.push(normalizer.end());
      done = true;
    } else if (next.value instanceof Uint8Array) {
      read.push(normalizer.push(next.value));
    } else {
      await iterator.return?.();
      throw new MimeError("raw", "stream yielded a non-Uint8Array chunk");
    }
    // The section ends where the body starts or, while that is not found, at what was read:
    // checked after every chunk, it holds at any chunking and bounds what is held ahead.
    if ((normalizer.bodyStart ?? normalizer.written) > limit) {
      await iterator.return?.();
      throw new MimeError("raw", `the header section is longer than ${limit} octets`);
    }
  }
  const prefix = concat(read);
  const head = prefix.slice(0, normalizer.bodyStart ?? prefix.length);
  const rest = async function* (): AsyncGenerator<Uint8Array> {
    if (prefix.length > 0) yield prefix;
    if (done) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      yield next.value;
    }
  };
  const stream: RawMessageStream = { head, [Symbol.asyncIterator]: () => rest() };
  PEEKED.add(stream);
  return stream;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** One header field, unfolded. */
interface HeaderField {
  name: string;
  value: string;
}

/**
 * The fields of a header section (CRLF line ends): folded lines are joined, lines that are
 * not `name: value` are skipped.
 */
function headerFields(head: Uint8Array): HeaderField[] {
  const fields: HeaderField[] = [];
  for (const line of new TextDecoder().decode(head).split("\r\n")) {
    if (line === "") break;
    const last = fields[fields.length - 1];
    if (line.startsWith(" ") || line.startsWith("\t")) {
      if (last !== undefined) last.value += line;
      continue;
    }
    const colon = line.indexOf(":");
    const name = colon > 0 ? line.slice(0, colon).trimEnd() : "";
    if (!/^[!-9;-~]+$/.test(name)) continue;
    fields.push({ name: name.toLowerCase(), value: line.slice(colon + 1) });
  }
  return fields;
}

/** The mailboxes of every field called `name`, e.g. all `To` fields. */
function mailboxesOf(fields: HeaderField[], name: string, smtpUtf8: boolean): Mailbox[] {
  const field = `raw (${name[0]!.toUpperCase()}${name.slice(1)} header)`;
  return fields
    .filter((f) => f.name === name)
    .flatMap((f) => (f.value.trim() === "" ? [] : toMailboxes(field, f.value, smtpUtf8)));
}

/** MAIL FROM's default: the Sender, else the one From mailbox. */
function senderOf(fields: HeaderField[], smtpUtf8: boolean): Mailbox {
  const sender = mailboxesOf(fields, "sender", smtpUtf8);
  if (sender.length > 1) throw new MimeError("raw (Sender header)", "holds more than one address");
  if (sender[0] !== undefined) return sender[0];
  const from = mailboxesOf(fields, "from", smtpUtf8);
  if (from.length === 1) return from[0]!;
  throw new MimeError(
    "raw",
    from.length === 0
      ? "has no From or Sender header: give envelope.from"
      : "has several From addresses and no Sender header: give envelope.from",
  );
}

function messageIdOf(fields: HeaderField[]): string {
  const value = fields.find((f) => f.name === "message-id")?.value ?? "";
  return /<[^<>\s]+>/.exec(value)?.[0] ?? "";
}

/**
 * Builds a {@link Message} from a complete message given as it is (`input.raw`).
 *
 * @throws MimeError when other content fields are given, the raw message is empty, its
 *   header section has 8-bit octets without `options.smtpUtf8`, or no envelope can be found.
 * @since 0.1.0
 */
export function createRawMessage(input: MessageInput, options: BuildOptions): Message {
  for (const name of COMPOSE_FIELDS) {
    if (input[name] !== undefined) {
      throw new MimeError(
        name,
        "cannot be combined with raw (raw is the whole message; its envelope comes from envelope or its headers)",
      );
    }
  }
  const smtpUtf8 = options.smtpUtf8 === true;
  const raw = input.raw as unknown;
  let bytes: Uint8Array | undefined;
  let stream: AsyncIterable<Uint8Array> | undefined;
  let head: Uint8Array | undefined;
  if (typeof raw === "string" || raw instanceof Uint8Array) {
    if (typeof raw === "string") assertWellFormed("raw", raw);
    bytes = normalizeLineEnds(typeof raw === "string" ? utf8(raw) : raw);
    if (bytes.length === 0) throw new MimeError("raw", "is empty");
    const normalizer = new LineEndNormalizer();
    normalizer.push(bytes);
    head = bytes.subarray(0, normalizer.bodyStart ?? bytes.length);
  } else {
    stream = toIterable("raw", raw);
    if (stream === undefined) {
      throw new MimeError("raw", "must be a string, Uint8Array, ReadableStream or AsyncIterable");
    }
    if (PEEKED.has(raw as object)) head = (raw as RawMessageStream).head;
  }
  const headAscii = head !== undefined && isAsciiBytes(head);
  if (head !== undefined && !headAscii && !smtpUtf8) {
    throw new MimeError("raw", "its header section has 8-bit octets, which need SMTPUTF8");
  }
  const fields = head === undefined ? undefined : headerFields(head);
  const needHeaders = (): HeaderField[] => {
    if (fields !== undefined) return fields;
    throw new MimeError(
      "envelope",
      "a raw stream needs envelope.from and envelope.to, or readRawHeaders() to read them from its headers",
    );
  };
  const envelope = buildEnvelope(
    input,
    () => senderOf(needHeaders(), smtpUtf8),
    () => ["to", "cc", "bcc"].flatMap((name) => mailboxesOf(needHeaders(), name, smtpUtf8)),
    smtpUtf8,
  );
  const envelopeAscii =
    (envelope.from === null || isAscii(envelope.from.address)) &&
    envelope.to.every((a) => isAscii(a.address));
  const bodyEightBit = bytes !== undefined && !isAsciiBytes(bytes);
  return {
    messageId: fields === undefined ? "" : messageIdOf(fields),
    envelope,
    size: bytes?.length,
    // A stream's body is not known ahead: it counts as 8-bit (BODY=8BITMIME).
    eightBit: bytes === undefined || bodyEightBit,
    smtpUtf8: smtpUtf8 && !(headAscii && envelopeAscii),
    stream: (streamOptions?: StreamOptions) =>
      bytes !== undefined
        ? streamSegments([bytes], streamOptions?.reuseBuffers === true)
        : normalizedStream(stream!, smtpUtf8),
    get replayable() {
      return bytes !== undefined || !consumedStreams.has(stream!);
    },
    singlePass: bytes === undefined,
    singleChunk: () => (bytes === undefined ? undefined : singleSegment([bytes])),
  };
}

function isAsciiBytes(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! > 0x7f) return false;
  return true;
}

const consumedStreams = new WeakSet<object>();

/** The stream with CRLF line ends, once; its header section is held to SMTPUTF8. */
function normalizedStream(
  source: AsyncIterable<Uint8Array>,
  smtpUtf8: boolean,
): AsyncIterable<Uint8Array> {
  if (consumedStreams.has(source)) {
    throw new MimeError("raw", "stream content was already consumed by an earlier stream()");
  }
  consumedStreams.add(source);
  return (async function* () {
    const normalizer = new LineEndNormalizer();
    for await (const chunk of source) {
      if (!(chunk instanceof Uint8Array))
        throw new MimeError("raw", "stream yielded a non-Uint8Array chunk");
      const out = normalizer.push(chunk);
      if (normalizer.headerEightBit && !smtpUtf8) {
        throw new MimeError("raw", "its header section has 8-bit octets, which need SMTPUTF8");
      }
      if (out.length > 0) yield out;
    }
    const end = normalizer.end();
    if (end.length > 0) yield end;
  })();
}
