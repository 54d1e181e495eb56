import { DkimError } from "./errors.ts";

const CR = 0x0d;
const LF = 0x0a;

/**
 * The largest header section signed (the header fields and their line ends, without the
 * empty line): a bound on what is held in memory. Generous: a To of ten thousand
 * recipients fits.
 *
 * @since 0.1.0
 */
export const MAX_HEADER_SECTION = 1024 * 1024;

/**
 * Collects a message's header section from the start of its byte stream, with every line
 * end made CRLF (a bare CR or LF counts as one, as SMTP carries it), until the empty line
 * that ends it.
 *
 * @since 0.1.0
 */
export class HeaderSection {
  #bytes = new Uint8Array(1024);
  #n = 0;
  #lineStart = 0;
  #cr = false;
  #complete = false;

  /**
   * Takes bytes of the message's start. Returns where the body begins in `chunk` once the
   * empty line was seen, or -1 while the header section goes on.
   *
   * @throws DkimError when the header section grows past {@link MAX_HEADER_SECTION}.
   */
  write(chunk: Uint8Array): number {
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (this.#cr) {
        this.#cr = false;
        const skip = byte === LF ? 1 : 0;
        if (this.#lineEnd()) return i + skip;
        if (skip === 1) continue;
      }
      if (byte === CR) this.#cr = true;
      else if (byte === LF) {
        if (this.#lineEnd()) return i + 1;
      } else this.#push(byte);
    }
    return -1;
  }

  /** The message ended inside its header section (it has no body). */
  end(): void {
    if (this.#cr) {
      this.#cr = false;
      if (this.#lineEnd()) return;
    }
    if (this.#n > this.#lineStart) this.#lineEnd();
  }

  /** The header fields as a binary string (one character per octet), each ending in CRLF. */
  text(): string {
    let text = "";
    // In slices: String.fromCharCode takes its arguments on the stack.
    for (let i = 0; i < this.#n; i += 8192) {
      text += String.fromCharCode(...this.#bytes.subarray(i, Math.min(i + 8192, this.#n)));
    }
    return text;
  }

  /** Ends the current line; true when it was the empty line that ends the section. */
  #lineEnd(): boolean {
    if (this.#complete) return true;
    if (this.#n === this.#lineStart) {
      this.#complete = true;
      return true;
    }
    this.#push(CR);
    this.#push(LF);
    this.#lineStart = this.#n;
    return false;
  }

  #push(byte: number): void {
    if (this.#n === this.#bytes.length) {
      if (this.#n >= MAX_HEADER_SECTION) {
        throw new DkimError(
          "message",
          `the header section is larger than ${MAX_HEADER_SECTION} octets, the most that is signed`,
        );
      }
      const grown = new Uint8Array(Math.min(this.#n * 2, MAX_HEADER_SECTION));
      grown.set(this.#bytes);
      this.#bytes = grown;
    }
    this.#bytes[this.#n++] = byte;
  }
}
