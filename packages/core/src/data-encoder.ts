import { utf8 } from "./bytes.ts";

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;
/**
 * Chunks shorter than this are walked in JavaScript; longer ones are searched line by line
 * with the native `indexOf`, faster on long runs such as base64 lines.
 */
const SMALL_CHUNK = 16 * 1024;

/**
 * The streaming DATA body encoder (RFC 5321 §4.5.2). Every bare CR and every bare LF becomes
 * CRLF, then a `.` at the start of a line is doubled, and {@link DataEncoder.end} closes with
 * exactly `CRLF.CRLF` (adding the CRLF when the last line lacks one). State carries across
 * chunks, so the output is the same for every chunking and no body can end the data early
 * (R6, SMTP smuggling).
 *
 * With `dotStuff: false` it only normalises line endings (text sent with BDAT).
 *
 * {@link DataEncoder.push} returns the input chunk itself when nothing in it changes (CRLF
 * line ends, no dot at a line start: always the case for `@smtp/mime` output), so the
 * result may share memory with the input. Its outputs are the same, chunk by chunk, as those
 * of the byte-at-a-time encoder it replaced (a BDAT chunk never ends between CR and LF).
 *
 * @since 0.1.0
 */
export class DataEncoder {
  readonly #dotStuff: boolean;
  #lineStart = true;
  /** The chunk before ended on a CR: it is written with the next byte (as CRLF). */
  #pendingCr = false;
  #ended = false;

  /** @param options - `dotStuff` (default true): double leading dots and end with `.`. */
  constructor(options: { dotStuff?: boolean } = {}) {
    this.#dotStuff = options.dotStuff ?? true;
  }

  /**
   * Encodes one chunk of raw message bytes (any line endings). Returns `chunk` itself (or,
   * when it ends on a CR, `chunk` without that CR) when it needs no change, else a new
   * array (for a chunk under 16 KiB, maybe a view of a slightly larger one; for a longer one,
   * of exactly the encoded length).
   */
  push(chunk: Uint8Array): Uint8Array {
    if (this.#ended) throw new Error("DataEncoder: push after end");
    if (chunk.length < SMALL_CHUNK) return this.#pushSmall(chunk);
    const unchanged = this.#unchangedLength(chunk);
    if (unchanged === chunk.length) return chunk;
    if (unchanged >= 0) return chunk.subarray(0, unchanged);
    return this.#pushExact(chunk);
  }

  /**
   * A short chunk in one walk of plain JavaScript (cheaper than native searches on short
   * lines): up to the first byte that changes nothing is written; from there the output
   * goes into an array with a little room to spare, or, when the room runs out (many bare
   * LFs), through {@link DataEncoder.#pushExact}.
   */
  #pushSmall(chunk: Uint8Array): Uint8Array {
    const length = chunk.length;
    const dotStuff = this.#dotStuff;
    let lineStart = this.#lineStart;
    let i = 0;
    if (!this.#pendingCr) {
      for (; i < length; i++) {
        const byte = chunk[i]!;
        if (byte === CR) {
          if (i + 1 === length) {
            this.#pendingCr = true;
            this.#lineStart = lineStart;
            return chunk.subarray(0, i);
          }
          if (chunk[i + 1] !== LF) break; // a bare CR
          i++;
          lineStart = true;
        } else if (byte === LF || (lineStart && byte === DOT && dotStuff)) {
          break; // a bare LF, or a dot to double
        } else lineStart = false;
      }
      if (i === length) {
        this.#lineStart = lineStart;
        return chunk;
      }
    }
    // From `i` on, bytes change: the unchanged start is copied at once.
    const room = length + 64;
    const out = new Uint8Array(room);
    out.set(chunk.subarray(0, i));
    let n = i;
    let pendingCr = this.#pendingCr;
    for (; i < length; i++) {
      if (n + 4 > room) return this.#pushExact(chunk);
      const byte = chunk[i]!;
      if (pendingCr) {
        pendingCr = false;
        out[n++] = CR;
        out[n++] = LF;
        lineStart = true;
        if (byte === LF) continue;
      }
      if (byte === CR) {
        pendingCr = true;
      } else if (byte === LF) {
        out[n++] = CR;
        out[n++] = LF;
        lineStart = true;
      } else {
        if (lineStart && byte === DOT && dotStuff) out[n++] = DOT;
        out[n++] = byte;
        lineStart = false;
      }
    }
    this.#pendingCr = pendingCr;
    this.#lineStart = lineStart;
    return out.subarray(0, n);
  }

  /** The whole chunk byte by byte into an array of exactly the encoded size (two walks). */
  #pushExact(chunk: Uint8Array): Uint8Array {
    const dotStuff = this.#dotStuff;
    const length = chunk.length;
    // First pass: the exact output size. The second pass makes the same walk, writing.
    let pendingCr = this.#pendingCr;
    let lineStart = this.#lineStart;
    let size = 0;
    for (let i = 0; i < length; i++) {
      const byte = chunk[i]!;
      if (pendingCr) {
        pendingCr = false;
        size += 2;
        lineStart = true;
        if (byte === LF) continue;
      }
      if (byte === CR) {
        pendingCr = true;
      } else if (byte === LF) {
        size += 2;
        lineStart = true;
      } else {
        size += lineStart && byte === DOT && dotStuff ? 2 : 1;
        lineStart = false;
      }
    }
    const out = new Uint8Array(size);
    let n = 0;
    pendingCr = this.#pendingCr;
    lineStart = this.#lineStart;
    for (let i = 0; i < length; i++) {
      const byte = chunk[i]!;
      if (pendingCr) {
        pendingCr = false;
        out[n++] = CR;
        out[n++] = LF;
        lineStart = true;
        if (byte === LF) continue;
      }
      if (byte === CR) {
        pendingCr = true;
      } else if (byte === LF) {
        out[n++] = CR;
        out[n++] = LF;
        lineStart = true;
      } else {
        if (lineStart && byte === DOT && dotStuff) out[n++] = DOT;
        out[n++] = byte;
        lineStart = false;
      }
    }
    this.#pendingCr = pendingCr;
    this.#lineStart = lineStart;
    return out;
  }

  /**
   * How much of `chunk` goes out as it is: its whole length when every CR is followed by LF,
   * every LF preceded by CR and no line starts with a dot; one less when it also ends on a
   * CR (held back for the next chunk); -1 when something must change. In the first two cases
   * the state after the chunk is recorded. Scans line by line with the native `indexOf`,
   * several times faster than a byte loop.
   */
  #unchangedLength(chunk: Uint8Array): number {
    const length = chunk.length;
    if (length === 0) return 0;
    if (this.#pendingCr) return -1; // the held-back CR goes first
    const dotStuff = this.#dotStuff;
    let lineStart = this.#lineStart;
    let i = 0;
    for (;;) {
      if (lineStart && dotStuff && chunk[i] === DOT) return -1;
      const cr = chunk.indexOf(CR, i);
      const lf = chunk.indexOf(LF, i);
      if (cr === -1) {
        if (lf !== -1) return -1; // a bare LF
        this.#lineStart = false; // i < length here: the chunk ends inside a line
        return length;
      }
      if (lf !== -1 && lf < cr) return -1; // a bare LF
      if (cr === length - 1) {
        this.#pendingCr = true;
        this.#lineStart = cr === i && lineStart;
        return length - 1;
      }
      if (lf !== cr + 1) return -1; // a bare CR
      i = cr + 2;
      lineStart = true;
      if (i === length) {
        this.#lineStart = true;
        return length;
      }
    }
  }

  /**
   * Finishes the body: a pending CR becomes CRLF, a last line without one gets CRLF, and
   * (when dot-stuffing) the `.` CRLF terminator follows.
   */
  end(): Uint8Array {
    if (this.#ended) throw new Error("DataEncoder: end twice");
    this.#ended = true;
    let tail = "";
    if (this.#pendingCr || !this.#lineStart) tail += "\r\n";
    if (this.#dotStuff) tail += ".\r\n";
    this.#pendingCr = false;
    this.#lineStart = true;
    return utf8(tail);
  }
}
