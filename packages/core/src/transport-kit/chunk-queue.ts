import { type Deferred, deferred } from "./deferred.ts";
import type { TransportPeer } from "./peer.ts";
import { starttlsInjectionError } from "./transport-errors.ts";

/** How a {@link ChunkQueue} holds back its source. @since 0.1.0 */
export interface ChunkQueueOptions {
  /** Bytes held unread at most before `pause` is called (one chunk may go past it). */
  highWaterMark: number;
  /** Stop the source (e.g. `socket.pause()`): the server is then held back by TCP flow control. */
  pause(): void;
  /** Start the source again once the reader has caught up. */
  resume(): void;
}

/**
 * The read side of a transport whose runtime pushes data (Node's `'data'` events, a
 * WebSocket's messages): chunks wait here, in order, until `take()`; past
 * `highWaterMark` unread bytes the source is paused, so a slow reader holds the server
 * back instead of filling memory. End-of-stream and the source's error come after the
 * chunks that arrived before them.
 *
 * @since 0.1.0
 */
export class ChunkQueue {
  readonly #options: ChunkQueueOptions;
  #chunks: Uint8Array[] = [];
  #bytes = 0;
  #paused = false;
  #ended = false;
  #error: { error: unknown } | undefined;
  #taker: Deferred<Uint8Array | null> | undefined;

  constructor(options: ChunkQueueOptions) {
    this.#options = options;
  }

  /** Bytes received and not yet taken. */
  get size(): number {
    return this.#bytes;
  }

  /** A chunk from the source. Ignored after `end()` or `fail()`. */
  push(chunk: Uint8Array): void {
    if (this.#ended || chunk.byteLength === 0) return;
    const taker = this.#taker;
    if (taker) {
      this.#taker = undefined;
      taker.resolve(chunk);
      return;
    }
    this.#chunks.push(chunk);
    this.#bytes += chunk.byteLength;
    if (!this.#paused && this.#bytes >= this.#options.highWaterMark) {
      this.#paused = true;
      this.#options.pause();
    }
  }

  /** End-of-stream: `take()` gives `null` once the chunks before it are taken. Idempotent. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#settleTaker();
  }

  /** The source failed: `take()` rejects with `error` once the chunks before it are taken. */
  fail(error: unknown): void {
    if (this.#ended) return;
    this.#error = { error };
    this.end();
  }

  /** The next chunk, `null` at the end, or the source's error. One `take()` at a time. */
  take(): Promise<Uint8Array | null> {
    if (this.#taker) return Promise.reject(new Error("take() is already pending"));
    const chunk = this.#chunks.shift();
    if (chunk) {
      this.#bytes -= chunk.byteLength;
      if (this.#paused && this.#bytes < this.#options.highWaterMark) {
        this.#paused = false;
        this.#options.resume();
      }
      return Promise.resolve(chunk);
    }
    if (this.#error) return Promise.reject(this.#error.error);
    if (this.#ended) return Promise.resolve(null);
    this.#taker = deferred();
    return this.#taker.promise;
  }

  /**
   * For a graceful close: drops every unread chunk and every later one, ends the queue
   * (`take()` gives `null`) and resumes the source, since a paused source would never see
   * the server's end-of-stream.
   */
  discard(): void {
    this.#chunks = [];
    this.#bytes = 0;
    this.end();
    if (this.#paused) {
      this.#paused = false;
      this.#options.resume();
    }
  }

  /**
   * Called before a STARTTLS handshake: bytes received and not read arrived in plaintext
   * after the reply that asked for the upgrade, so they must never be read as if they came
   * inside TLS. Throws the `starttls-injection` error when there are any.
   */
  assertDrained(peer: TransportPeer): void {
    if (this.#bytes > 0) throw starttlsInjectionError(peer);
  }

  #settleTaker(): void {
    const taker = this.#taker;
    if (!taker || this.#chunks.length > 0) return;
    this.#taker = undefined;
    if (this.#error) taker.reject(this.#error.error);
    else taker.resolve(null);
  }
}
