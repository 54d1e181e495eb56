import { base64Stream } from "./base64.ts";
import { openContent } from "./content.ts";
import { MimeError } from "./errors.ts";
import type { Segment } from "./parts.ts";
import type { Message } from "./types.ts";

/** Output pieces are yielded in slices of at most this many octets. */
const YIELD_SIZE = 64 * 1024;

/**
 * The message bytes, segment by segment: fixed bytes in 64 KiB slices, attachments
 * encoded as they are pulled. Throws at once when a stream content was already consumed.
 *
 * @since 0.1.0
 */
export function streamSegments(
  segments: readonly Segment[],
  reuse: boolean,
): AsyncIterable<Uint8Array> {
  // A second pass fails here, at the call, rather than halfway through the bytes.
  for (const s of segments) {
    if (!(s instanceof Uint8Array) && s.source.kind === "stream" && s.source.consumed()) {
      throw new MimeError(s.field, "stream content was already consumed by an earlier stream()");
    }
  }
  return generateSegments(segments, reuse);
}

/**
 * The segments as the one chunk `streamSegments` would yield, when they are a single
 * in-memory segment of at most one yield; else `undefined`.
 *
 * @since 0.2.0
 */
export function singleSegment(segments: readonly Segment[]): Uint8Array | undefined {
  const only = segments.length === 1 ? segments[0] : undefined;
  return only instanceof Uint8Array && only.length <= YIELD_SIZE ? only : undefined;
}

/**
 * Whether another pass over `segments` is possible: no one-shot stream content was opened.
 *
 * @since 0.2.0
 */
export function segmentsReplayable(segments: readonly Segment[]): boolean {
  return segments.every(
    (s) => s instanceof Uint8Array || s.source.kind !== "stream" || !s.source.consumed(),
  );
}

/**
 * Whether some segment is one-shot stream content: then only one pass can ever be made,
 * whatever {@link segmentsReplayable} says before it.
 *
 * @since 0.2.0
 */
export function segmentsSinglePass(segments: readonly Segment[]): boolean {
  return segments.some(
    (s) => !(s instanceof Uint8Array) && s.source.kind === "stream" && s.source.once,
  );
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
