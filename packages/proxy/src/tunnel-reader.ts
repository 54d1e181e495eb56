import { concatBytes } from "@smtp/core/base";
import type { Transport } from "@smtp/core/transport-kit";
import { describeProxy, type ProxyLabel, proxyError } from "./proxy-errors.ts";

const EMPTY = new Uint8Array(0);

/**
 * Reads a proxy's replies off a transport: exact byte counts (SOCKS5) or up to a
 * delimiter (an HTTP head), never more than asked for from what it hands back. What the
 * mail server sent in the same chunks stays in {@link rest}, for the tunnel to read first.
 */
export class TunnelReader {
  readonly #transport: Transport;
  readonly #proxy: ProxyLabel;
  #buffer: Uint8Array = EMPTY;

  constructor(transport: Transport, proxy: ProxyLabel) {
    this.#transport = transport;
    this.#proxy = proxy;
  }

  /** The next `count` bytes. */
  async exactly(count: number): Promise<Uint8Array> {
    while (this.#buffer.byteLength < count) await this.#fill();
    return this.#take(count);
  }

  /**
   * The bytes up to and including the first `delimiter`; refused (`proxy-refused`) when
   * `max` bytes come without one.
   */
  async through(delimiter: Uint8Array, max: number): Promise<Uint8Array> {
    let from = 0;
    for (;;) {
      const at = indexOf(this.#buffer, delimiter, from);
      if (at >= 0) return this.#take(at + delimiter.byteLength);
      if (this.#buffer.byteLength >= max) {
        throw proxyError(
          "proxy-refused",
          `${describeProxy(this.#proxy)} sent more than ${max} bytes without ending its reply`,
          false,
        );
      }
      from = Math.max(0, this.#buffer.byteLength - delimiter.byteLength + 1);
      await this.#fill();
    }
  }

  /** What came after the proxy's last reply: the mail server's first bytes, if any. */
  rest(): Uint8Array {
    const rest = this.#buffer;
    this.#buffer = EMPTY;
    return rest;
  }

  async #fill(): Promise<void> {
    const chunk = await this.#transport.read();
    if (chunk === null) {
      throw proxyError(
        "proxy-refused",
        `${describeProxy(this.#proxy)} closed the connection before the tunnel was open`,
        true,
      );
    }
    this.#buffer = this.#buffer.byteLength === 0 ? chunk : concatBytes([this.#buffer, chunk]);
  }

  #take(count: number): Uint8Array {
    const taken = this.#buffer.subarray(0, count);
    this.#buffer = this.#buffer.subarray(count);
    return taken;
  }
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  outer: for (let i = from; i <= haystack.byteLength - needle.byteLength; i++) {
    for (let j = 0; j < needle.byteLength; j++) {
      if (haystack[i + j] !== needle[j]) continue outer;
    }
    return i;
  }
  return -1;
}
