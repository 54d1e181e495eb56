import type { Sha256Like } from "./options.ts";

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const TAB = 0x09;
const OUT_SIZE = 16 * 1024;

/**
 * Streams a message body through DKIM body canonicalization (RFC 6376 §3.4.3 `simple`,
 * §3.4.4 `relaxed`) into a hash, in constant memory, whatever the chunking.
 *
 * Line ends are taken as SMTP will carry them: a bare CR or bare LF counts as CRLF, as
 * `@smtp/core`'s DATA encoder writes it, and a last line without one gets one. Empty lines
 * at the end are held back as a count, and hashed only if more content follows.
 *
 * A chunk whose canonical form is itself (CRLF line ends only; for `relaxed` also no tab,
 * no run of spaces and no space before a line end) goes to the hash as it is, without a
 * copy: base64 attachments always take that path. Other chunks go byte by byte.
 *
 * @since 0.1.0
 */
export class BodyCanonicalizer {
  readonly #relaxed: boolean;
  readonly #hash: Sha256Like;
  readonly #out = new Uint8Array(OUT_SIZE);
  #n = 0;
  /** CRLFs not hashed yet: the end of the last line with content, then empty lines. */
  #held = 0;
  /** Content of the current line was hashed. */
  #inLine = false;
  /** `relaxed`: whitespace seen in the current line, to become one SP if content follows. */
  #space = false;
  /** The last chunk ended on a CR: its line end counts once the next byte is known. */
  #cr = false;
  /** Any content was hashed at all. */
  #content = false;

  constructor(relaxed: boolean, hash: Sha256Like) {
    this.#relaxed = relaxed;
    this.#hash = hash;
  }

  /** Adds body bytes. The chunk is not kept (it may be reused by the caller afterwards). */
  write(chunk: Uint8Array): void {
    let i = 0;
    if (chunk.length === 0) return;
    if (this.#cr) {
      this.#cr = false;
      this.#lineEnd();
      if (chunk[0] === LF) i = 1;
    }
    if (i < chunk.length) {
      if (this.#asIs(chunk, i)) this.#fast(chunk, i);
      else this.#slow(chunk, i);
    }
    this.#flush();
  }

  /** Ends the body: applies the rules for its end. Call once, then read the hash. */
  end(): void {
    if (this.#cr) {
      this.#cr = false;
      this.#lineEnd();
    }
    // `simple` makes an empty body one CRLF; `relaxed` leaves it empty (RFC 6376 §3.4.3-4).
    if (this.#content || !this.#relaxed) this.#put(CR, LF);
    this.#flush();
  }

  #lineEnd(): void {
    if (this.#inLine) {
      this.#held = 1;
      this.#inLine = false;
    } else this.#held++;
    this.#space = false;
  }

  /**
   * Whether `chunk[i..]` is already canonical (but for line ends held back at its end): every
   * octet below 0x21 is part of a CRLF or (`simple`) anything, or (`relaxed`) a single space
   * between two other octets. Reads four octets at a time: a word with no octet below 0x21,
   * which is nearly every word of base64 or text, is passed over with one test.
   */
  #asIs(chunk: Uint8Array, i: number): boolean {
    if (this.#space) return false;
    const length = chunk.length;
    const aligned = Math.min(length, i + ((4 - ((chunk.byteOffset + i) & 3)) & 3));
    for (let k = i; k < aligned; k++)
      if (chunk[k]! < 0x21 && !this.#octetAsIs(chunk, k, i)) return false;
    const words = (length - aligned) >> 2;
    if (words > 0) {
      const view = new Uint32Array(chunk.buffer, chunk.byteOffset + aligned, words);
      for (let w = 0; w < words; w++) {
        const word = view[w]!;
        // Non-zero exactly when some octet of the word is below 0x21 ("has less than").
        if (((word - 0x21212121) & ~word & 0x80808080) === 0) continue;
        for (let k = aligned + w * 4, end = k + 4; k < end; k++) {
          if (chunk[k]! < 0x21 && !this.#octetAsIs(chunk, k, i)) return false;
        }
      }
    }
    for (let k = aligned + words * 4; k < length; k++) {
      if (chunk[k]! < 0x21 && !this.#octetAsIs(chunk, k, i)) return false;
    }
    return true;
  }

  /** Whether the octet at `k` (below 0x21) leaves `chunk[i..]` canonical as it is. */
  #octetAsIs(chunk: Uint8Array, k: number, i: number): boolean {
    const octet = chunk[k];
    // A CR at the very end is held back; its line end is counted with the next chunk.
    if (octet === CR) return k + 1 === chunk.length || chunk[k + 1] === LF;
    if (octet === LF) return k > i && chunk[k - 1] === CR;
    if (!this.#relaxed) return true;
    if (octet === TAB) return false;
    if (octet !== SP) return true;
    const next = chunk[k + 1];
    return next !== undefined && next !== SP && next !== TAB && next !== CR && next !== LF;
  }

  #fast(chunk: Uint8Array, i: number): void {
    let end = chunk.length;
    if (chunk[end - 1] === CR) {
      end--;
      this.#cr = true;
    }
    let content = end;
    while (content - 2 >= i && chunk[content - 2] === CR && chunk[content - 1] === LF) content -= 2;
    const trailing = (end - content) / 2;
    if (content > i) {
      this.#crlfs(this.#held);
      this.#held = 0;
      this.#flush();
      this.#hash.update(chunk.subarray(i, content));
      this.#content = true;
      this.#inLine = true;
    }
    if (trailing > 0) {
      this.#held = this.#inLine ? trailing : this.#held + trailing;
      this.#inLine = false;
    }
  }

  #slow(chunk: Uint8Array, i: number): void {
    const length = chunk.length;
    const relaxed = this.#relaxed;
    for (; i < length; i++) {
      const byte = chunk[i]!;
      if (byte === CR) {
        if (i + 1 === length) this.#cr = true;
        else {
          if (chunk[i + 1] === LF) i++;
          this.#lineEnd();
        }
      } else if (byte === LF) this.#lineEnd();
      else if (relaxed && (byte === SP || byte === TAB)) this.#space = true;
      else {
        if (!this.#inLine) {
          this.#crlfs(this.#held);
          this.#held = 0;
          this.#inLine = true;
          this.#content = true;
        }
        if (this.#space) {
          this.#put1(SP);
          this.#space = false;
        }
        this.#put1(byte);
      }
    }
  }

  #crlfs(count: number): void {
    for (let k = 0; k < count; k++) this.#put(CR, LF);
  }

  #put(a: number, b: number): void {
    if (this.#n + 2 > OUT_SIZE) this.#flush();
    this.#out[this.#n++] = a;
    this.#out[this.#n++] = b;
  }

  #put1(byte: number): void {
    if (this.#n === OUT_SIZE) this.#flush();
    this.#out[this.#n++] = byte;
  }

  #flush(): void {
    if (this.#n === 0) return;
    this.#hash.update(this.#out.subarray(0, this.#n));
    this.#n = 0;
  }
}
