import {
  GuardedTransport,
  type RuntimeErrorTable,
  starttlsInjectionError,
  type Transport,
  type TransportPeer,
} from "@smtp/core/transport-kit";
import { type ProxyLabel, throughProxy } from "./proxy-errors.ts";

/** What the inner transport reports is already an `SmtpError`; nothing else is expected. */
const TUNNEL_ERRORS: RuntimeErrorTable = { codes: {} };

/** What a {@link TunnelTransport} is built from. @since 0.1.0 */
export interface TunnelTransportInit {
  /** The connection to the proxy, with the tunnel open (and TLS inside it, for implicit TLS). */
  inner: Transport;
  /** The mail server at the other end of the tunnel, named in errors. */
  target: TransportPeer;
  /** The proxy, named in errors. */
  proxy: ProxyLabel;
  /** The mail server's first bytes, read with the proxy's last reply: read before anything else. */
  leftover: Uint8Array;
}

/**
 * The {@link Transport} of a connection through a proxy: the connection to the proxy,
 * once the tunnel is open, with the bookkeeping of the kit's `GuardedTransport`. It reads
 * first what came with the proxy's reply, then passes every operation to the connection
 * under it; STARTTLS upgrades that connection in place, verified against the mail
 * server's name. Bytes of the mail server still unread when STARTTLS begins fail it with
 * `starttls-injection`, as on a direct connection.
 *
 * @since 0.1.0
 */
export class TunnelTransport extends GuardedTransport {
  readonly #inner: Transport;
  readonly #target: TransportPeer;
  readonly #proxy: ProxyLabel;
  #leftover: Uint8Array | undefined;

  constructor(init: TunnelTransportInit) {
    super({ peer: init.target, errors: TUNNEL_ERRORS, secure: init.inner.secure });
    this.#inner = init.inner;
    this.#target = init.target;
    this.#proxy = init.proxy;
    this.#leftover = init.leftover.byteLength > 0 ? init.leftover : undefined;
  }

  /** The local address of the connection to the proxy. */
  get localAddress(): string | undefined {
    return this.#inner.localAddress;
  }

  /** Unknown: only the proxy knows the mail server's address. */
  get remoteAddress(): string | undefined {
    return undefined;
  }

  protected receive(): Promise<Uint8Array | null> {
    const leftover = this.#leftover;
    if (leftover) {
      this.#leftover = undefined;
      return Promise.resolve(leftover);
    }
    return this.#inner.read();
  }

  protected send(bytes: Uint8Array): Promise<void> {
    return this.#inner.write(bytes);
  }

  protected async upgrade(servername: string): Promise<void> {
    if (this.#leftover) throw starttlsInjectionError(this.#target);
    try {
      await this.#inner.startTls({ servername });
    } catch (error) {
      throw throughProxy(error, this.#target, this.#proxy);
    }
  }

  protected override async endWrite(): Promise<void> {
    await this.#inner.closeWrite?.();
  }

  protected shutdown(): Promise<void> {
    return this.#inner.close();
  }

  protected destroy(): void {
    this.#inner.abort();
  }
}
