import { closedError, GuardedTransport } from "@smtp/core/transport-kit";
import type { DenoApi, DenoConn, DenoTcpConn } from "./deno-api.ts";
import { DENO_ERRORS } from "./deno-errors.ts";

/** What a {@link DenoTransport} is built from: an open connection and its settings. @since 0.1.0 */
export interface DenoTransportInit {
  /** The Deno namespace (or a stand-in in tests). */
  deno: DenoApi;
  /** A connected `Deno.TcpConn`, or a `Deno.TlsConn` whose handshake is done (implicit TLS). */
  conn: DenoConn;
  /** The server's host, for error messages. */
  host: string;
  /** The server's port, for error messages. */
  port: number;
  /** Whether `conn` is already TLS (implicit TLS). */
  secure: boolean;
  /** Extra trusted CA certificates (PEM) for STARTTLS. */
  caCerts?: string[] | undefined;
  /** Overrides the server name the session asks STARTTLS to verify. */
  servername?: string | undefined;
  /** Bytes per read buffer. */
  readSize: number;
}

/** Closes a Deno resource that may already be closed or consumed (by `Deno.startTls`). @since 0.1.0 */
export function closeQuietly(conn: DenoConn | undefined): void {
  try {
    conn?.close();
  } catch {
    // BadResource: already closed, or handed over to Deno.startTls.
  }
}

function addressOf(addr: DenoConn["localAddr"]): string | undefined {
  return "hostname" in addr ? addr.hostname : undefined;
}

/**
 * A {@link Transport} over a `Deno.Conn`, upgraded in place by `Deno.startTls`; the
 * bookkeeping is the kit's `GuardedTransport`.
 *
 * - Reads are pulled: each `read()` performs one `conn.read` into a `readSize` buffer, and
 *   nothing is read from the socket while no `read()` is outstanding. A slow reader holds
 *   the server back through TCP flow control, and no byte sent before STARTTLS can be
 *   taken for one sent inside TLS: it reaches the TLS layer, which refuses it.
 * - `write()` loops on partial writes until every byte is accepted.
 * - `close()` and `abort()` close the resource at once; `close()` resolves once the
 *   pending operations have settled.
 *
 * @since 0.1.0
 */
export class DenoTransport extends GuardedTransport {
  readonly #deno: DenoApi;
  readonly #caCerts: string[] | undefined;
  readonly #servername: string | undefined;
  readonly #buffer: Uint8Array;
  readonly #localAddress: string | undefined;
  readonly #remoteAddress: string | undefined;
  #conn: DenoConn;

  constructor(init: DenoTransportInit) {
    super({ peer: { host: init.host, port: init.port }, errors: DENO_ERRORS, secure: init.secure });
    this.#deno = init.deno;
    this.#conn = init.conn;
    this.#caCerts = init.caCerts;
    this.#servername = init.servername;
    this.#buffer = new Uint8Array(init.readSize);
    this.#localAddress = addressOf(init.conn.localAddr);
    this.#remoteAddress = addressOf(init.conn.remoteAddr);
  }

  /** The local IP address of the connection. */
  get localAddress(): string | undefined {
    return this.#localAddress;
  }

  /** The server's IP address. */
  get remoteAddress(): string | undefined {
    return this.#remoteAddress;
  }

  protected async receive(): Promise<Uint8Array | null> {
    const count = await this.#conn.read(this.#buffer);
    // The buffer is reused by the next read, so the caller gets its own copy.
    return count === null ? null : this.#buffer.slice(0, count);
  }

  protected async send(bytes: Uint8Array): Promise<void> {
    const conn = this.#conn;
    let offset = 0;
    while (offset < bytes.byteLength) {
      const written = await conn.write(offset === 0 ? bytes : bytes.subarray(offset));
      if (written <= 0) throw closedError(this.peer, "write");
      offset += written;
    }
  }

  protected async upgrade(servername: string): Promise<void> {
    const hostname = this.#servername ?? servername;
    const options = this.#caCerts ? { hostname, caCerts: this.#caCerts } : { hostname };
    const tls = await this.#deno.startTls(this.#conn as DenoTcpConn, options);
    if (this.ending) {
      // Aborted while Deno.startTls ran: its connection must not outlive the transport.
      closeQuietly(tls);
      throw closedError(this.peer, "startTls");
    }
    // From here destroy() closes the TLS connection (the TCP one now belongs to it).
    this.#conn = tls;
    await tls.handshake();
  }

  protected override async endWrite(): Promise<void> {
    await this.#conn.closeWrite?.();
  }

  protected async shutdown(): Promise<void> {
    closeQuietly(this.#conn);
  }

  protected destroy(): void {
    closeQuietly(this.#conn);
  }
}
