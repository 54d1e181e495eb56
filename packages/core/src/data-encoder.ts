const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;
/** Chunks shorter than this are walked octet by octet: a 32-bit view costs more than it saves. */
const WORD_SCAN_MIN = 64;
const NO_WORDS = new Uint32Array(0);
/** The tails {@link DataEncoder.end} writes (copied: a caller may keep what it gets). */
const CRLF_DOT_CRLF = Uint8Array.of(CR, LF, DOT, CR, LF);
const DOT_CRLF = Uint8Array.of(DOT, CR, LF);
const CRLF_ONLY = Uint8Array.of(CR, LF);

/**
 * Memory the encoder may write a changed chunk into instead of a new array (the wire's
 * staging, with `lendOutput`): `take` gives room or `undefined`, `trim` gives back what the
 * output did not use.
 *
 * @since 0.3.0
 */
export interface EncoderRoom {
  take(size: number): Uint8Array | undefined;
  trim(view: Uint8Array, length: number): Uint8Array;
}

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
   * a new array (of at most twice the chunk's length and two), or of `room` when it has
   * room for that much.
   */
  push(chunk: Uint8Array, room?: EncoderRoom): Uint8Array {
    if (this.#ended) throw new Error("DataEncoder: push after end");
    if (this.#pendingCr) return this.#encodeFrom(chunk, 0, room); // the held-back CR goes first
    const unchanged = this.#unchangedLength(chunk);
    if (unchanged === chunk.length) return chunk;
    // Clean up to a CR that ends the chunk (held back), or up to the first octet to change.
    return this.#pendingCr
      ? chunk.subarray(0, unchanged)
      : this.#encodeFrom(chunk, unchanged, room);
  }

  /**
   * The chunk encoded into a new array: `chunk[0, start)` is known to need no change (the
   * state after it is in the fields) and is copied as it is; from `start` on, one walk. The
   * array has room for the worst case (every byte doubled: a bare CR or LF becomes CRLF, a
   * leading dot two dots; plus the CRLF of a CR held back from the chunk before), and a view
   * of its used part is returned.
   */
  #encodeFrom(chunk: Uint8Array, start: number, room: EncoderRoom | undefined): Uint8Array {
    const dotStuff = this.#dotStuff;
    const length = chunk.length;
    const size = start + 2 * (length - start) + 2;
    const lent = room?.take(size);
    const out = lent ?? new Uint8Array(size);
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
    return lent === undefined ? out.subarray(0, n) : room!.trim(lent, n);
  }

  /**
   * How much of `chunk`, from its start, goes out as it is: up to the first bare CR, bare
   * LF or dot at a line start (when dot-stuffing); or up to a CR that ends the chunk, held
   * back for the next one (`#pendingCr` is then set); or the whole chunk. The state at that
   * point is recorded. Called with no CR pending.
   *
   * Runs of octets with no line end are skipped four at a time through a 32-bit view; only
   * the words around a line end are walked octet by octet.
   */
  #unchangedLength(chunk: Uint8Array): number {
    const length = chunk.length;
    const dotStuff = this.#dotStuff;
    let lineStart = this.#lineStart;
    // The octets before the first 4-aligned address are walked one by one (all of them in
    // a short chunk).
    const short = length < WORD_SCAN_MIN;
    const head = short ? length : (4 - (chunk.byteOffset & 3)) & 3;
    const words = short
      ? NO_WORDS
      : new Uint32Array(chunk.buffer, chunk.byteOffset + head, (length - head) >>> 2);
    const wordCount = words.length;
    const wordsEnd = head + 4 * wordCount;
    let i = 0;
    while (i < length) {
      if (i >= head && i < wordsEnd && ((i - head) & 3) === 0) {
        if (lineStart && dotStuff && chunk[i] === DOT) break;
        // Skip the words whose every octet is 0x0e or above, so neither CR nor LF: the
        // "has less than" test of "Bit Twiddling Hacks", exact for any octet below 0x0e.
        const first = (i - head) >>> 2;
        let k = first;
        for (; k < wordCount; k++) {
          const w = words[k]!;
          if (((w - 0x0e0e0e0e) & ~w & 0x80808080) !== 0) break;
        }
        if (k > first) {
          i = head + 4 * k;
          lineStart = false;
          continue;
        }
      }
      const byte = chunk[i]!;
      if (byte === CR) {
        if (i + 1 === length) {
          this.#pendingCr = true;
          break;
        }
        if (chunk[i + 1] !== LF) break; // a bare CR
        i += 2;
        lineStart = true;
      } else if (byte === LF || (lineStart && dotStuff && byte === DOT)) {
        break; // a bare LF, or a dot to double
      } else {
        lineStart = false;
        i++;
      }
    }
    this.#lineStart = lineStart;
    return i;
  }

  /**
   * Finishes the body: a pending CR becomes CRLF, a last line without one gets CRLF, and
   * (when dot-stuffing) the `.` CRLF terminator follows.
   */
  end(): Uint8Array {
    if (this.#ended) throw new Error("DataEncoder: end twice");
    this.#ended = true;
    const crlf = this.#pendingCr || !this.#lineStart;
    // A copy of a fixed tail: an array this short lives on V8's heap, where it costs a
    // tenth of what `TextEncoder.encode` costs (its arrays always get memory of their own).
    if (this.#dotStuff) return (crlf ? CRLF_DOT_CRLF : DOT_CRLF).slice();
    return crlf ? CRLF_ONLY.slice() : new Uint8Array(0);
  }
}
