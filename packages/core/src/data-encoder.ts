const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;

/**
 * The streaming DATA body encoder (RFC 5321 §4.5.2). Every bare CR and every bare LF becomes
 * CRLF, then a `.` at the start of a line is doubled, and {@link DataEncoder.end} closes with
 * exactly `CRLF.CRLF` (adding the CRLF when the last line lacks one). State carries across
 * chunks, so the output is the same for every chunking and no body can end the data early
 * (R6, SMTP smuggling).
 *
 * With `dotStuff: false` it only normalises line endings (text sent with BDAT).
 *
 * @since 0.1.0
 */
export class DataEncoder {
  readonly #dotStuff: boolean;
  #lineStart = true;
  #pendingCr = false;
  #ended = false;

  /** @param options - `dotStuff` (default true): double leading dots and end with `.`. */
  constructor(options: { dotStuff?: boolean } = {}) {
    this.#dotStuff = options.dotStuff ?? true;
  }

  /** Encodes one chunk of raw message bytes (any line endings). */
  push(chunk: Uint8Array): Uint8Array {
    if (this.#ended) throw new Error("DataEncoder: push after end");
    const out = new Uint8Array(chunk.length * 2 + 2);
    let n = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (this.#pendingCr) {
        this.#pendingCr = false;
        out[n++] = CR;
        out[n++] = LF;
        this.#lineStart = true;
        if (byte === LF) continue;
      }
      if (byte === CR) {
        this.#pendingCr = true;
      } else if (byte === LF) {
        out[n++] = CR;
        out[n++] = LF;
        this.#lineStart = true;
      } else {
        if (this.#lineStart && byte === DOT && this.#dotStuff) out[n++] = DOT;
        out[n++] = byte;
        this.#lineStart = false;
      }
    }
    return out.subarray(0, n);
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
    return new TextEncoder().encode(tail);
  }
}
