import { BODY_COPY_LIMIT } from "./body-copy-limit.ts";

// The buffers of `lendOutput` (SessionOptions): with it, the engine writes a message's
// bytes into memory it keeps and reuses, not into new arrays. Writing the same memory again
// and again, warm in the processor's caches, costs less than a new array for every write:
// a new array is fresh memory to the cache, and one more object of external memory for the
// garbage collector. Internal to the wire (`Connection`).

/**
 * Joined output is built in this many octets at most of one buffer that the wire keeps and
 * lends again at every `pollTransmit()` (`lendOutput`); more goes into a new array.
 *
 * @since 0.3.0
 */
export const LENT_OUTPUT_LIMIT = BODY_COPY_LIMIT;

/**
 * Body bytes of DATA are staged in at most this many octets (the DATA encoder asks for
 * room for the worst case: twice a chunk under `BODY_COPY_LIMIT`, and a CRLF); more, or
 * what does not fit beside the bytes staged already, goes into new arrays.
 *
 * @since 0.3.0
 */
export const STAGING_LIMIT = 2 * BODY_COPY_LIMIT + 2;

/** The first size of both buffers; each doubles from there as needed, up to its limit. */
const FIRST_SIZE = 4096;

function grownSize(current: number, size: number, limit: number): number {
  let length = Math.max(FIRST_SIZE, current);
  while (length < size) length *= 2;
  return Math.min(length, limit);
}

/**
 * The one buffer of joined output: each joined output is written at its start, over the
 * one before, which the driver has written (and the transport let go of) by then.
 */
export class LentOutput {
  #buffer = new Uint8Array(0);

  /** Room for `size` octets at the buffer's start, or `undefined` past the limit. */
  take(size: number): Uint8Array | undefined {
    if (size > LENT_OUTPUT_LIMIT) return undefined;
    if (this.#buffer.length < size) {
      this.#buffer = new Uint8Array(grownSize(this.#buffer.length, size, LENT_OUTPUT_LIMIT));
    }
    return this.#buffer;
  }
}

/**
 * Where small body bytes of DATA wait for the next `pollTransmit()` instead of each in a new
 * array: the DATA encoder's output, or the copy of a chunk it did not change. Views are
 * handed out one after another; the wire joins every staged view into its output (never
 * hands one out alone) and calls {@link BodyStaging.reset} once its queue is empty, when no
 * view is referenced any more. BDAT does not stage: its pieces are held across writes.
 */
export class BodyStaging {
  #buffer = new Uint8Array(0);
  #used = 0;

  /** A view of `size` octets after those staged, or `undefined` when they do not fit. */
  take(size: number): Uint8Array | undefined {
    if (this.#used + size > this.#buffer.length) {
      // Replaced by a larger buffer only while nothing is staged in it.
      if (this.#used > 0 || size > STAGING_LIMIT) return undefined;
      this.#buffer = new Uint8Array(grownSize(this.#buffer.length, size, STAGING_LIMIT));
    }
    const view = this.#buffer.subarray(this.#used, this.#used + size);
    this.#used += size;
    return view;
  }

  /**
   * `view`, the last one taken, shortened to its first `length` octets: the rest is free
   * again for the next one.
   */
  trim(view: Uint8Array, length: number): Uint8Array {
    if (this.owns(view) && view.byteOffset + view.length === this.#used) {
      this.#used = view.byteOffset + length;
    }
    return view.subarray(0, length);
  }

  /** Whether `bytes` is a view of the staging buffer. */
  owns(bytes: Uint8Array): boolean {
    // Before the first take the buffer is an empty array of its own: no view is of it.
    return bytes.buffer === this.#buffer.buffer;
  }

  /** Every view is forgotten: the buffer is free from its start. */
  reset(): void {
    this.#used = 0;
  }
}
