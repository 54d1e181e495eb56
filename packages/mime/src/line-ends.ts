/**
 * Turns every line end (CRLF, bare CR, bare LF) into CRLF across chunks, and watches the
 * header section (everything before the first empty line) for 8-bit octets.
 *
 * @since 0.1.0
 */
export class LineEndNormalizer {
  /** The last chunk ended in CR: its LF may start the next one. */
  #pendingCr = false;
  /** The last four octets written, to find the CRLF CRLF that ends the header section. */
  #tail = 0;
  /** The header section had an octet above 0x7f. */
  headerEightBit = false;
  /** Octets written so far. */
  written = 0;
  /** Where the body starts (after the empty line), once that line has been written. */
  bodyStart: number | undefined;

  /** The normalised form of `chunk` (the chunk itself when nothing changes). */
  push(chunk: Uint8Array): Uint8Array {
    if (chunk.length === 0) return chunk;
    const out = this.#isClean(chunk) ? chunk : this.#rewrite(chunk);
    this.#pendingCr = chunk[chunk.length - 1] === 13;
    this.#watch(out);
    return out;
  }

  /** What is still owed at the end: nothing, or the LF after a final CR. */
  end(): Uint8Array {
    if (!this.#pendingCr) return new Uint8Array(0);
    this.#pendingCr = false;
    const out = Uint8Array.of(10);
    this.#watch(out);
    return out;
  }

  /** Every CR is followed by LF inside the chunk, every LF preceded by CR: nothing to do. */
  #isClean(chunk: Uint8Array): boolean {
    if (this.#pendingCr) return false;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b === 13) {
        if (chunk[i + 1] !== 10) return false;
        i++;
      } else if (b === 10) return false;
    }
    return true;
  }

  #rewrite(chunk: Uint8Array): Uint8Array {
    const out = new Uint8Array(chunk.length * 2 + 1);
    let o = 0;
    let i = 0;
    if (this.#pendingCr) {
      // The previous chunk's final CR: its line ends now, with the LF that follows or one of ours.
      out[o++] = 10;
      if (chunk[0] === 10) i = 1;
    }
    for (; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b === 13) {
        out[o++] = 13;
        if (i + 1 === chunk.length) break; // the next chunk (or end()) decides
        out[o++] = 10;
        if (chunk[i + 1] === 10) i++;
      } else if (b === 10) {
        out[o++] = 13;
        out[o++] = 10;
      } else out[o++] = b;
    }
    return out.subarray(0, o);
  }

  #watch(out: Uint8Array): void {
    const offset = this.written;
    this.written += out.length;
    if (this.bodyStart !== undefined) return;
    for (let i = 0; i < out.length; i++) {
      const b = out[i]!;
      if (b > 0x7f) this.headerEightBit = true;
      // The last four octets as one number: CR LF CR LF ends the header section. An empty
      // header section (the message starts with CRLF) ends at once.
      this.#tail = ((this.#tail << 8) | b) >>> 0;
      if (this.#tail === 0x0d0a0d0a || (offset + i === 1 && this.#tail === 0x0d0a)) {
        this.bodyStart = offset + i + 1;
        return;
      }
    }
  }
}

/**
 * Every line end of `bytes` as CRLF, in one array.
 *
 * @since 0.1.0
 */
export function normalizeLineEnds(bytes: Uint8Array): Uint8Array {
  const normalizer = new LineEndNormalizer();
  const body = normalizer.push(bytes);
  const end = normalizer.end();
  if (end.length === 0) return body;
  const out = new Uint8Array(body.length + end.length);
  out.set(body);
  out.set(end, body.length);
  return out;
}
