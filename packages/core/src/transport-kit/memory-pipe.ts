import { type Deferred, deferred } from "./deferred.ts";

/** An error shaped like a socket's, with a code the memory table knows. */
export function memoryError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/**
 * One direction of an in-memory connection: bytes written wait here until read. A write
 * resolves at once while at most `highWaterMark` bytes wait unread, and only once the
 * reader has caught up otherwise (back-pressure). The bytes are copied, so the writer may
 * reuse its buffer as soon as its write resolves.
 */
export class MemoryPipe {
  readonly #highWaterMark: number;
  #chunks: Uint8Array[] = [];
  #bytes = 0;
  #ended = false;
  /** Set when the writer reset the connection: reads fail with it. */
  #reset: Error | undefined;
  /** Set when the reader went away: writes fail with it. */
  #gone: Error | undefined;
  #reader: Deferred<Uint8Array | null> | undefined;
  #writer: Deferred<void> | undefined;

  constructor(highWaterMark: number) {
    this.#highWaterMark = highWaterMark;
  }

  /** Bytes written and not yet read. */
  get size(): number {
    return this.#bytes;
  }

  /** Whether the writer has ended this direction (gracefully or not). */
  get ended(): boolean {
    return this.#ended || this.#reset !== undefined;
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.#gone) return Promise.reject(this.#gone);
    if (this.ended) return Promise.reject(memoryError("EPIPE", "write after end"));
    if (bytes.byteLength === 0) return Promise.resolve();
    const copy = bytes.slice();
    const reader = this.#reader;
    if (reader) {
      this.#reader = undefined;
      reader.resolve(copy);
      return Promise.resolve();
    }
    this.#chunks.push(copy);
    this.#bytes += copy.byteLength;
    if (this.#bytes <= this.#highWaterMark) return Promise.resolve();
    this.#writer = deferred();
    return this.#writer.promise;
  }

  read(): Promise<Uint8Array | null> {
    if (this.#reset) return Promise.reject(this.#reset);
    const chunk = this.#chunks.shift();
    if (chunk) {
      this.#bytes -= chunk.byteLength;
      if (this.#writer && this.#bytes <= this.#highWaterMark) {
        const writer = this.#writer;
        this.#writer = undefined;
        writer.resolve();
      }
      return Promise.resolve(chunk);
    }
    if (this.#ended || this.#gone) return Promise.resolve(null);
    this.#reader = deferred();
    return this.#reader.promise;
  }

  /** The writer's end-of-stream: the reader gets `null` after what is buffered. */
  end(): void {
    if (this.ended) return;
    this.#ended = true;
    this.#settleReader(null);
  }

  /** The writer destroyed the connection: what is buffered is lost, the reader gets `error`. */
  reset(error: Error): void {
    if (this.ended) return;
    this.#reset = error;
    this.#drop();
    this.#settleReader(error);
  }

  /** The reader destroyed or closed its side: what is buffered is lost, writes fail with `error`. */
  abandon(error: Error): void {
    if (this.#gone) return;
    this.#gone = error;
    this.#drop();
    this.#settleReader(null);
  }

  #drop(): void {
    this.#chunks = [];
    this.#bytes = 0;
    const writer = this.#writer;
    this.#writer = undefined;
    writer?.reject(this.#gone ?? memoryError("EPIPE", "the reader is gone"));
  }

  #settleReader(outcome: Error | null): void {
    const reader = this.#reader;
    this.#reader = undefined;
    if (outcome === null) reader?.resolve(null);
    else reader?.reject(outcome);
  }
}
