import { base64BodySize } from "./base64.ts";
import type { ContentSource } from "./content.ts";
import { foldHeader } from "./header-fold.ts";
import { isAscii, utf8, utf8Into, utf8Length } from "./text.ts";
import type { SizedText } from "./text-body.ts";

/**
 * A leaf whose body is already encoded in memory (text and HTML).
 *
 * @since 0.1.0
 */
export interface TextLeaf {
  kind: "text";
  headers: string;
  /** Quoted-printable or base64 bytes; a 7bit or 8bit body as its text. */
  body: Uint8Array | SizedText;
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

function endsWithCrlf(body: Uint8Array | SizedText): boolean {
  if (!(body instanceof Uint8Array)) return body.text.endsWith("\r\n");
  return body.length >= 2 && body[body.length - 2] === 13 && body[body.length - 1] === 10;
}

/**
 * A piece of the layout: text to encode, fixed bytes, a text body of known size, or an
 * attachment.
 *
 * @since 0.2.0
 */
export type Piece = string | Uint8Array | SizedText | StreamLeaf;

function isFixed(piece: Piece): piece is string | Uint8Array | SizedText {
  return typeof piece === "string" || piece instanceof Uint8Array || "octets" in piece;
}

/**
 * Lays a MIME tree out as segments. Every part body is followed by a CRLF that belongs to
 * the next delimiter (RFC 2046 §5.1.1), so bodies are never altered; at the top level
 * the message simply ends with CRLF.
 *
 * @since 0.1.0
 */
export function layout(part: Part, headers: string, out: Piece[], top: boolean): void {
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
export function toSegments(pieces: readonly Piece[]): Segment[] {
  const segments: Segment[] = [];
  let from = 0;
  // Each run of fixed pieces becomes one array: its size first, then one allocation into
  // which strings are encoded in place.
  const flush = (to: number) => {
    if (to === from) return;
    let length = 0;
    for (let i = from; i < to; i++) {
      const p = pieces[i] as string | Uint8Array | SizedText;
      // An ASCII string (headers) is as long in UTF-8: one native scan instead of a
      // code-unit loop. A text body comes with its length.
      if (typeof p === "string") length += isAscii(p) ? p.length : utf8Length(p);
      else length += p instanceof Uint8Array ? p.length : p.octets;
    }
    const joined = new Uint8Array(length);
    let o = 0;
    for (let i = from; i < to; i++) {
      const p = pieces[i] as string | Uint8Array | SizedText;
      if (typeof p === "string") o += utf8Into(p, joined.subarray(o));
      else if (p instanceof Uint8Array) {
        joined.set(p, o);
        o += p.length;
      } else o += utf8Into(p.text, joined.subarray(o));
    }
    // utf8Length is what encodeInto writes, unpaired surrogates included, so the run fills
    // the array exactly.
    segments.push(joined);
  };
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]!;
    if (!isFixed(piece)) {
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
