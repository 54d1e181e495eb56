import { READ_BLOCK } from "./base64.ts";
import { MimeError } from "./errors.ts";
import { utf8 } from "./text.ts";
import type { ContentInput, ReopenableContent } from "./types.ts";

/**
 * Attachment content made uniform: a re-readable byte array, or a one-shot stream.
 *
 * @since 0.1.0
 */
export type ContentSource =
  | { kind: "bytes"; bytes: Uint8Array }
  | {
      kind: "stream";
      open: () => AsyncIterable<Uint8Array>;
      size: number | undefined;
      /** Whether `open` was already called and cannot be called again (a stream can be read once). */
      consumed: () => boolean;
      /** A one-shot stream (true), or a file opened afresh for every pass (false). */
      once: boolean;
    };

/**
 * A {@link ReopenableContent} (a file) as a source: opened afresh for every pass, and held
 * to its size.
 *
 * @since 0.1.0
 */
export function reopenableSource(field: string, content: ReopenableContent): ContentSource {
  if (typeof content !== "object" || content === null || typeof content.open !== "function") {
    throw new MimeError(field, "the file source must have an open() function");
  }
  const { size } = content;
  if (!(Number.isSafeInteger(size) && size >= 0)) {
    throw new MimeError(field, "the file source must have a non-negative integer size");
  }
  const open = (): AsyncIterable<Uint8Array> => {
    const stream: unknown = content.open();
    if (typeof stream === "object" && stream !== null) {
      if (isReadableStream(stream)) return checked(field, readStream(stream), size);
      // Sync iterables (an array of chunks) are read by `for await` too.
      if (isAsyncIterable(stream) || Symbol.iterator in stream) {
        return checked(field, stream as AsyncIterable<Uint8Array>, size);
      }
    }
    throw new MimeError(
      field,
      "the file source's open() must return a ReadableStream or AsyncIterable",
    );
  };
  return { kind: "stream", size, consumed: () => false, once: false, open };
}

/** @since 0.1.0 */
export function isReadableStream(value: object): value is ReadableStream<Uint8Array> {
  return typeof (value as { getReader?: unknown }).getReader === "function";
}

/** @since 0.1.0 */
export function isAsyncIterable(value: object): value is AsyncIterable<Uint8Array> {
  return (
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === "function"
  );
}

/**
 * A web stream as an async iterable; stopping early cancels the stream.
 *
 * @since 0.1.0
 */
export async function* readStream(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let done = false;
  try {
    for (;;) {
      const result = await reader.read();
      if (result.done) {
        done = true;
        return;
      }
      if (result.value !== undefined) yield result.value;
    }
  } finally {
    // Stopped early (the consumer went away): tell the producer.
    if (!done) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/**
 * Validates content and wraps it as a {@link ContentSource}. Streams can be read once.
 *
 * @since 0.1.0
 */
export function toContentSource(
  field: string,
  content: ContentInput,
  size: number | undefined,
): ContentSource {
  const sizeField = `${field.replace(/\.content$/, "")}.size`;
  if (size !== undefined && !(Number.isSafeInteger(size) && size >= 0)) {
    throw new MimeError(sizeField, "must be a non-negative integer");
  }
  if (typeof content === "string" || content instanceof Uint8Array) {
    const bytes = typeof content === "string" ? utf8(content) : content;
    if (size !== undefined && size !== bytes.length) {
      throw new MimeError(sizeField, `is ${size} but the content has ${bytes.length} octets`);
    }
    return { kind: "bytes", bytes };
  }
  if (typeof content === "object" && content !== null) {
    let used = false;
    const consumed = (): boolean => used;
    const once = (source: () => AsyncIterable<Uint8Array>) => (): AsyncIterable<Uint8Array> => {
      if (used) throw new MimeError(field, "stream content was already consumed");
      used = true;
      return checked(field, source(), size);
    };
    if (isReadableStream(content)) {
      if (content.locked)
        throw new MimeError(field, "ReadableStream is locked (already being read)");
      return { kind: "stream", size, consumed, once: true, open: once(() => readStream(content)) };
    }
    if (isAsyncIterable(content)) {
      return { kind: "stream", size, consumed, once: true, open: once(() => content) };
    }
  }
  throw new MimeError(field, "must be a string, Uint8Array, ReadableStream or AsyncIterable");
}

/** Checks each chunk's type and, when declared, the total size. */
async function* checked(
  field: string,
  source: AsyncIterable<Uint8Array>,
  size: number | undefined,
): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const chunk of source) {
    if (!(chunk instanceof Uint8Array))
      throw new MimeError(field, "stream yielded a non-Uint8Array chunk");
    total += chunk.length;
    if (size !== undefined && total > size) {
      throw new MimeError(field, `stream is longer than its declared size ${size}`);
    }
    yield chunk;
  }
  if (size !== undefined && total !== size) {
    throw new MimeError(field, `stream produced ${total} octets, declared size ${size}`);
  }
}

/**
 * The bytes of a source as an async iterable (byte arrays in ~64 KiB slices).
 *
 * @since 0.1.0
 */
export function openContent(source: ContentSource): AsyncIterable<Uint8Array> {
  if (source.kind === "stream") return source.open();
  const { bytes } = source;
  return (async function* () {
    for (let i = 0; i < bytes.length; i += READ_BLOCK) {
      yield bytes.subarray(i, Math.min(i + READ_BLOCK, bytes.length));
    }
  })();
}
