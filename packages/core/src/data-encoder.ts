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
   * when it ends on a CR, `chunk` without that CR) when it needs no change, else a view of
   * a new array (of at most twice the chunk's length and two).
   */
  push(chunk: Uint8Array): Uint8Array {
    if (this.#ended) throw new Error("DataEncoder: push after end");
    if (chunk.length < SMALL_CHUNK) return this.#pushSmall(chunk);
    const unchanged = this.#unchangedLength(chunk);
    if (unchanged === chunk.length) return chunk;
    if (unchanged >= 0) return chunk.subarray(0, unchanged);
    return this.#encodeFrom(chunk, 0);
  }

  /**
   * A short chunk in one walk of plain JavaScript (cheaper than native searches on short
   * lines) up to the first byte that changes; from there, {@link DataEncoder.#encodeFrom}.
   */
  #pushSmall(chunk: Uint8Array): Uint8Array {
    if (this.#pendingCr) return this.#encodeFrom(chunk, 0);
    const length = chunk.length;
    const dotStuff = this.#dotStuff;
    let lineStart = this.#lineStart;
    let i = 0;
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
    this.#lineStart = lineStart;
    return i === length ? chunk : this.#encodeFrom(chunk, i);
  }

  /**
   * The chunk encoded into a new array: `chunk[0, start)` is known to need no change (the
   * state after it is in the fields) and is copied as it is; from `start` on, one walk. The
   * array has room for the worst case (every byte doubled: a bare CR or LF becomes CRLF, a
   * leading dot two dots; plus the CRLF of a CR held back from the chunk before), and a view
   * of its used part is returned.
   */
  #encodeFrom(chunk: Uint8Array, start: number): Uint8Array {
    const dotStuff = this.#dotStuff;
    const length = chunk.length;
    const out = new Uint8Array(start + 2 * (length - start) + 2);
    out.set(chunk.subarray(0, start));
    let pendingCr = this.#pendingCr;
    let lineStart = this.#lineStart;
    let n = start;
    for (let i = start; i < length; i++) {
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

  /**
   * How much of `chunk` goes out as it is: its whole length when every CR is followed by LF,
   * every LF preceded by CR and no line starts with a dot; one less when it also ends on a
   * CR (held back for the next chunk); -1 when something must change. In the first two cases
   * the state after the chunk is recorded. Scans line by line with the native `indexOf`,
   * several times faster than a byte loop. Only chunks of `SMALL_CHUNK` or more come here:
   * never an empty one.
   */
  #unchangedLength(chunk: Uint8Array): number {
    const length = chunk.length;
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
    return utf8(tail);
  }
}
