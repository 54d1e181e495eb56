import type { SmtpError } from "@smtp/core";
import { GuardedTransport, toTransportError } from "@smtp/core/transport-kit";
import { CLOUDFLARE_ERRORS, handshakeError } from "./cloudflare-errors.ts";
import type {
  CloudflareReader,
  CloudflareReadResult,
  CloudflareSocket,
  CloudflareWriter,
} from "./sockets-api.ts";

/** What a {@link CloudflareTransport} is built from: an open socket and its settings. @since 0.1.0 */
export interface CloudflareTransportInit {
  /** An open socket (`opened` resolved): for implicit TLS, the one `startTls()` returned. */
  socket: CloudflareSocket;
  /** The server's host, for error messages. */
  host: string;
  /** The server's port, for error messages. */
  port: number;
  /** Whether the socket is TLS (implicit TLS): its handshake then runs with the first read or write. */
  secure: boolean;
  /** Overrides the name STARTTLS verifies (else the session's server name). */
  servername?: string | undefined;
  /** The server's IP address, when the runtime told it. */
  remoteAddress?: string | undefined;
}

/**
 * A {@link Transport} over a socket of `cloudflare:sockets`, upgraded in place by
 * `startTls()`; the bookkeeping is the kit's `GuardedTransport`.
 *
 * - Reads are pulled: each `read()` reads the socket once, and nothing is read while no
 *   `read()` is outstanding, so a slow reader holds the server back. A byte the server
 *   sends after its reply to STARTTLS is never taken for one sent inside TLS: it reaches
 *   the TLS layer, which refuses it.
 * - workerd runs a TLS handshake (after `startTls()`, and for implicit TLS) with the first
 *   read or write, not before `startTls()` resolves; a failure then fails that operation,
 *   and every later one, with kind `tls` (detail `tls-handshake`: workerd does not tell the
 *   Worker why).
 * - The socket is opened with `allowHalfOpen`: the server's end of stream reads as `null`
 *   while this side can still write. workerd reads a reset as an end of stream too, but
 *   then closes the socket in both directions at once: an end with the socket already
 *   closed while this side never ended is reported as `ECONNRESET`.
 * - `close()` ends this side after the writes before it, then closes the socket.
 *
 * @since 0.1.0
 */
export class CloudflareTransport extends GuardedTransport {
  readonly #servername: string | undefined;
  readonly #remoteAddress: string | undefined;
  #socket: CloudflareSocket;
  #reader: CloudflareReader;
  #writer: CloudflareWriter;
  /** The socket's `closed` has settled: both directions are gone. */
  #socketClosed = false;
  /** This side ended its writing: an end of stream is no reset then. */
  #writeEnded = false;
  /** The name a TLS handshake not yet completed verifies, until a read or write succeeds. */
  #handshake: string | undefined;
  /** Which handshake that is, for error messages. */
  #handshakeStage: "tls" | "starttls" = "tls";

  constructor(init: CloudflareTransportInit) {
    super({
      peer: { host: init.host, port: init.port },
      errors: CLOUDFLARE_ERRORS,
      secure: init.secure,
    });
    this.#servername = init.servername;
    this.#remoteAddress = init.remoteAddress;
    this.#socket = init.socket;
    this.#reader = init.socket.readable.getReader();
    this.#writer = init.socket.writable.getWriter();
    if (init.secure) this.#handshake = init.servername ?? init.host;
    this.#watch(init.socket);
  }

  /** Unknown: Workers do not tell the local address. */
  get localAddress(): string | undefined {
    return undefined;
  }

  /** The server's IP address, when workerd told it. */
  get remoteAddress(): string | undefined {
    return this.#remoteAddress;
  }

  protected async receive(): Promise<Uint8Array | null> {
    let result: CloudflareReadResult;
    try {
      result = await this.#reader.read();
    } catch (error) {
      throw this.#failure(error);
    }
    if (!result.done) {
      this.#handshake = undefined;
      return result.value;
    }
    // An end instead of the first bytes inside TLS: the handshake failed.
    if (this.#handshake !== undefined && !this.ending) throw this.#failure(undefined);
    if (this.#socketClosed && !this.#writeEnded && !this.ending) {
      throw Object.assign(new Error("the connection was reset"), { code: "ECONNRESET" });
    }
    return null;
  }

  protected async send(bytes: Uint8Array): Promise<void> {
    try {
      await this.#writer.write(bytes);
    } catch (error) {
      throw this.#failure(error);
    }
    this.#handshake = undefined;
  }

  protected async upgrade(servername: string): Promise<void> {
    const name = this.#servername ?? servername;
    // The guard runs this with no read or write outstanding: the streams can be released.
    this.#reader.releaseLock();
    this.#writer.releaseLock();
    let secure: CloudflareSocket;
    try {
      secure = this.#socket.startTls({ expectedServerHostname: name });
    } catch (error) {
      throw handshakeError(
        toTransportError(error, CLOUDFLARE_ERRORS, this.peer, "starttls"),
        this.peer,
        name,
      );
    }
    this.#socket = secure;
    this.#reader = secure.readable.getReader();
    this.#writer = secure.writable.getWriter();
    this.#socketClosed = false;
    this.#handshake = name;
    this.#handshakeStage = "starttls";
    this.#watch(secure);
    if (this.ending) throw new Error("closed during the STARTTLS upgrade");
  }

  protected override async endWrite(): Promise<void> {
    // Closing the writable stream ends the sending direction; the readable one stays open.
    this.#writeEnded = true;
    try {
      await this.#writer.close();
    } catch (error) {
      throw this.#failure(error);
    }
  }

  protected async shutdown(): Promise<void> {
    this.#writeEnded = true;
    try {
      await this.#writer.close();
    } catch {
      // Already closed or failed: closing the socket below is all that is left.
    }
    await this.#closeSocket();
  }

  protected destroy(): void {
    this.#writeEnded = true;
    void this.#closeSocket();
  }

  async #closeSocket(): Promise<void> {
    try {
      await this.#socket.close();
    } catch {
      // Closing an errored socket rejects; it is closed all the same.
    }
  }

  /** A failed read or write: the handshake's failure while one is pending. */
  #failure(error: unknown): unknown {
    const name = this.#handshake;
    if (name === undefined || this.ending) return error;
    const stageError: SmtpError = toTransportError(
      error ?? new Error("the connection ended during the TLS handshake"),
      CLOUDFLARE_ERRORS,
      this.peer,
      this.#handshakeStage,
    );
    return handshakeError(stageError, this.peer, name);
  }

  #watch(socket: CloudflareSocket): void {
    const settled = (): void => {
      if (socket === this.#socket) this.#socketClosed = true;
    };
    socket.closed.then(settled, settled);
  }
}
