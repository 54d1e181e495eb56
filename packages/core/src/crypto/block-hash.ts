import type { HashState } from "./hash.ts";

/**
 * The Merkle–Damgård frame MD5 and SHA-256 share: 64-byte blocks, the message padded with
 * 0x80, zeros and its bit length in 8 bytes (little-endian for MD5, big-endian for SHA-2).
 * Subclasses supply the compression function, the state words and their byte order.
 *
 * @since 0.1.0
 */
export abstract class BlockHash implements HashState {
  protected readonly block = new Uint8Array(64);
  private buffered = 0;
  /** Message length in bytes so far; exact for any message a `Uint8Array` can hold. */
  private length = 0;
  private finished = false;
  /** The chaining state words, in output order. */
  protected readonly state: Int32Array;
  /** Whether lengths and state words are little-endian (MD5) or big-endian (SHA-2). */
  private readonly littleEndian: boolean;

  protected constructor(initialState: readonly number[], littleEndian: boolean) {
    this.state = Int32Array.from(initialState);
    this.littleEndian = littleEndian;
  }

  /** Mixes the 64 bytes of `bytes` from `offset` into {@link BlockHash.state}. */
  protected abstract compress(bytes: Uint8Array, offset: number): void;
  /** A fresh instance of the same subclass (its state is overwritten by {@link BlockHash.clone}). */
  protected abstract blank(): BlockHash;

  update(data: Uint8Array): this {
    if (this.finished) throw new Error("hash state already finished");
    this.length += data.length;
    let offset = 0;
    if (this.buffered > 0) {
      const take = Math.min(64 - this.buffered, data.length);
      this.block.set(data.subarray(0, take), this.buffered);
      this.buffered += take;
      offset = take;
      if (this.buffered < 64) return this;
      this.compress(this.block, 0);
      this.buffered = 0;
    }
    // Whole blocks straight from the input, without copying them into the buffer first.
    for (; offset + 64 <= data.length; offset += 64) this.compress(data, offset);
    if (offset < data.length) {
      this.block.set(data.subarray(offset));
      this.buffered = data.length - offset;
    }
    return this;
  }

  digest(): Uint8Array {
    if (this.finished) throw new Error("hash state already finished");
    this.finished = true;
    const block = this.block;
    block[this.buffered++] = 0x80;
    if (this.buffered > 56) {
      block.fill(0, this.buffered);
      this.compress(block, 0);
      this.buffered = 0;
    }
    block.fill(0, this.buffered, 56);
    // Bit length as a 64-bit integer, split so no bit is lost above 2^32.
    const low = (this.length * 8) >>> 0;
    const high = Math.floor(this.length / 0x20000000) >>> 0;
    writeWord(block, 56, this.littleEndian ? low : high, this.littleEndian);
    writeWord(block, 60, this.littleEndian ? high : low, this.littleEndian);
    this.compress(block, 0);
    const words = this.state;
    const out = new Uint8Array(words.length * 4);
    for (let i = 0; i < words.length; i++) writeWord(out, i * 4, words[i]!, this.littleEndian);
    return out;
  }

  clone(): this {
    return this.blank().copyFrom(this) as this;
  }

  copyFrom(source: HashState): this {
    if (!(source instanceof BlockHash) || source.constructor !== this.constructor) {
      throw new TypeError("hash states of different algorithms");
    }
    if (source.finished) throw new Error("hash state already finished");
    this.block.set(source.block);
    this.buffered = source.buffered;
    this.length = source.length;
    this.state.set(source.state);
    this.finished = false;
    return this;
  }
}

function writeWord(out: Uint8Array, offset: number, word: number, littleEndian: boolean): void {
  if (littleEndian) {
    out[offset] = word;
    out[offset + 1] = word >>> 8;
    out[offset + 2] = word >>> 16;
    out[offset + 3] = word >>> 24;
  } else {
    out[offset] = word >>> 24;
    out[offset + 1] = word >>> 16;
    out[offset + 2] = word >>> 8;
    out[offset + 3] = word;
  }
}
