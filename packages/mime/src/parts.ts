import { base64BodySize } from "./base64.ts";
import type { ContentSource } from "./content.ts";
import { foldHeader } from "./header-fold.ts";
import { isAscii, utf8, utf8Length } from "./text.ts";

const encoder = new TextEncoder();

/**
 * A leaf whose body is already encoded in memory (text and HTML).
 *
 * @since 0.1.0
 */
export interface TextLeaf {
  kind: "text";
  headers: string;
  body: Uint8Array;
  /** The body went out as 8bit (non-ASCII octets). */
  eightBit: boolean;
}

/**
 * A leaf whose body is content encoded as base64 while it streams.
 *
 * @since 0.1.0
 */
export interface StreamLeaf {
  kind: "base64";
  headers: string;
  source: ContentSource;
  field: string;
}

/**
 * A multipart node.
 *
 * @since 0.1.0
 */
export interface Multipart {
  kind: "multipart";
  subtype: "mixed" | "alternative" | "related";
  boundary: string;
  parts: Part[];
}

/**
 * A node of the MIME tree.
 *
 * @since 0.1.0
 */
export type Part = TextLeaf | StreamLeaf | Multipart;

/**
 * A piece of the output: fixed bytes, or an attachment to encode while streaming.
 *
 * @since 0.1.0
 */
export type Segment = Uint8Array | StreamLeaf;

const CRLF = utf8("\r\n");

function endsWithCrlf(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[bytes.length - 2] === 13 && bytes[bytes.length - 1] === 10;
}

/**
 * Lays a MIME tree out as segments. Every part body is followed by a CRLF that belongs to
 * the next delimiter (RFC 2046 §5.1.1), so bodies are never altered; at the top level
 * the message simply ends with CRLF.
 *
 * @since 0.1.0
 */
export function layout(
  part: Part,
  headers: string,
  out: (string | Uint8Array | StreamLeaf)[],
  top: boolean,
): void {
  if (part.kind === "text") {
    out.push(headers + part.headers, "\r\n", part.body);
    if (!top || !endsWithCrlf(part.body)) out.push(CRLF);
    return;
  }
  if (part.kind === "base64") {
    out.push(headers + part.headers, "\r\n", part);
    return;
  }
  out.push(
    headers +
      foldHeader("Content-Type", [
        `multipart/${part.subtype};`,
        // RFC 2387: multipart/related names the type of its root part (always the HTML here).
        ...(part.subtype === "related" ? ['type="text/html";'] : []),
        `boundary="${part.boundary}"`,
      ]),
    "\r\n",
  );
  for (const child of part.parts) {
    out.push(`--${part.boundary}\r\n`);
    layout(child, "", out, false);
  }
  out.push(`--${part.boundary}--\r\n`);
}

/**
 * Merges adjacent fixed pieces into byte arrays.
 *
 * @since 0.1.0
 */
export function toSegments(pieces: readonly (string | Uint8Array | StreamLeaf)[]): Segment[] {
  const segments: Segment[] = [];
  let from = 0;
  // Each run of fixed pieces becomes one array: its size first, then one allocation into
  // which strings are encoded in place.
  const flush = (to: number) => {
    if (to === from) return;
    let length = 0;
    for (let i = from; i < to; i++) {
      const p = pieces[i] as string | Uint8Array;
      // An ASCII string (headers, a 7bit body) is as long in UTF-8: one native scan instead
      // of a code-unit loop.
      length += typeof p !== "string" ? p.length : isAscii(p) ? p.length : utf8Length(p);
    }
    const joined = new Uint8Array(length);
    let o = 0;
    for (let i = from; i < to; i++) {
      const p = pieces[i] as string | Uint8Array;
      if (typeof p === "string") o += encoder.encodeInto(p, joined.subarray(o)).written;
      else {
        joined.set(p, o);
        o += p.length;
      }
    }
    // utf8Length is what encodeInto writes, unpaired surrogates included, so the run fills
    // the array exactly.
    segments.push(joined);
  };
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]!;
    if (typeof piece !== "string" && !(piece instanceof Uint8Array)) {
      flush(i);
      segments.push(piece);
      from = i + 1;
    }
  }
  flush(pieces.length);
  return segments;
}

/**
 * The exact size of the segments, or undefined when a stream's length is unknown.
 *
 * @since 0.1.0
 */
export function segmentsSize(segments: readonly Segment[]): number | undefined {
  let size = 0;
  for (const s of segments) {
    if (s instanceof Uint8Array) size += s.length;
    else if (s.source.kind === "bytes") size += base64BodySize(s.source.bytes.length);
    else if (s.source.size !== undefined) size += base64BodySize(s.source.size);
    else return undefined;
  }
  return size;
}
