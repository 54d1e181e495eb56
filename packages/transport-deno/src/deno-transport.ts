import { SmtpError, type Transport } from "@smtp/core";
import type { DenoApi, DenoConn, DenoTcpConn, DenoTlsConn } from "./deno-api.ts";
import { toSmtpError } from "./deno-error.ts";
import { abortedError, guard } from "./guard.ts";

/** What a {@link DenoTransport} is built from: an open connection and its settings. @since 0.1.0 */
export interface DenoTransportInit {
  /** The Deno namespace (or a stand-in in tests). */
  deno: DenoApi;
  /** A connected `Deno.TcpConn`, or a `Deno.TlsConn` whose handshake is done (implicit TLS). */
  conn: DenoConn;
  /** The server's host, for error messages and STARTTLS. */
  host: string;
  /** The server's port, for error messages. */
  port: number;
  /** Whether `conn` is already TLS (implicit TLS). */
  secure: boolean;
  /** Extra trusted CA certificates (PEM) for STARTTLS. */
  caCerts?: string[] | undefined;
  /** Overrides the server name the session asks STARTTLS to verify. */
  servername?: string | undefined;
  /** Milliseconds the STARTTLS handshake may take. */
  tlsHandshakeTimeout: number;
  /** Bytes per read buffer. */
  readSize: number;
}

const ignore = (): void => {};

/** A TLS record header (handshake or alert, version 3.x): the server speaks TLS, not SMTP. */
function looksLikeTls(bytes: Uint8Array): boolean {
  return (bytes[0] === 0x15 || bytes[0] === 0x16) && bytes[1] === 0x03;
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
 * A {@link Transport} over a `Deno.Conn`, upgraded in place by `Deno.startTls`.
 *
 * - Reads are pulled: `read()` performs one `conn.read` into a `readSize` buffer, and
 *   nothing is read from the socket while no `read()` is outstanding. A slow reader
 *   therefore holds the server back through TCP flow control; the transport buffers
 *   nothing, so no byte sent before STARTTLS can be taken for one sent inside TLS.
 * - `write()` loops on partial writes until every byte is accepted; writes run in order.
 * - `close()` and `abort()` close the resource at once (a pending `read()` resolves `null`,
 *   pending writes reject); both are idempotent and leave no timer or pending operation.
 *
 * @since 0.1.0
 */
export class DenoTransport implements Transport {
  readonly #deno: DenoApi;
  readonly #host: string;
  readonly #port: number;
  readonly #caCerts: string[] | undefined;
  readonly #servername: string | undefined;
  readonly #tlsHandshakeTimeout: number;
  readonly #buffer: Uint8Array;
  readonly #localAddress: string | undefined;
  readonly #remoteAddress: string | undefined;
  #conn: DenoConn;
  /** The TLS connection being set up by STARTTLS, closed if the transport is aborted meanwhile. */
  #upgrading: DenoTlsConn | undefined;
  #secure: boolean;
  #state: "open" | "upgrading" | "closed" = "open";
  #eof = false;
  #sawData = false;
  #failure: SmtpError | undefined;
  #abortError: SmtpError | undefined;
  #reading: Promise<unknown> | undefined;
  #writeTail: Promise<void> = Promise.resolve();

  constructor(init: DenoTransportInit) {
    this.#deno = init.deno;
    this.#conn = init.conn;
    this.#host = init.host;
    this.#port = init.port;
    this.#secure = init.secure;
    this.#caCerts = init.caCerts;
    this.#servername = init.servername;
    this.#tlsHandshakeTimeout = init.tlsHandshakeTimeout;
    this.#buffer = new Uint8Array(init.readSize);
    this.#localAddress = addressOf(init.conn.localAddr);
    this.#remoteAddress = addressOf(init.conn.remoteAddr);
  }

  /** Whether the bytes now travel inside TLS. */
  get secure(): boolean {
    return this.#secure;
  }

  /** The local IP address of the connection. */
  get localAddress(): string | undefined {
    return this.#localAddress;
  }

  /** The server's IP address. */
  get remoteAddress(): string | undefined {
    return this.#remoteAddress;
  }

  /** The next chunk from the server, or `null` at end-of-stream (or after `close`/`abort`). */
  read(): Promise<Uint8Array | null> {
    if (this.#reading) return Promise.reject(new Error("read() is already pending"));
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#state === "closed" || this.#eof) return Promise.resolve(null);
    if (this.#state === "upgrading") {
      return Promise.reject(new Error("read() during the STARTTLS handshake"));
    }
    const reading = this.#readOnce(this.#conn);
    this.#reading = reading.then(ignore, ignore);
    return reading;
  }

  async #readOnce(conn: DenoConn): Promise<Uint8Array | null> {
    try {
      const count = await conn.read(this.#buffer);
      if (this.#state === "closed") return null;
      if (count === null) {
        this.#eof = true;
        return null;
      }
      // The buffer is reused by the next read, so the caller gets its own copy.
      const chunk = this.#buffer.slice(0, count);
      if (!this.#sawData) {
        this.#sawData = true;
        if (!this.#secure && looksLikeTls(chunk)) throw this.#tlsOnPlaintext();
      }
      return chunk;
    } catch (error) {
      if (this.#state === "closed") return null;
      this.#failure ??= toSmtpError(error, "read", this.#target());
      if (this.#failure.detail === "tls-on-plaintext") {
        this.#state = "closed";
        this.#closeResources();
      }
      throw this.#failure;
    } finally {
      this.#reading = undefined;
    }
  }

  /** Sends every byte of `bytes` (looping on partial writes); resolves when all are accepted. */
  write(bytes: Uint8Array): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#state !== "open") return Promise.reject(this.#closedError("write"));
    const conn = this.#conn;
    const run = this.#writeTail.then(() => this.#writeAll(conn, bytes));
    this.#writeTail = run.then(ignore, ignore);
    return run;
  }

  async #writeAll(conn: DenoConn, bytes: Uint8Array): Promise<void> {
    let offset = 0;
    try {
      while (offset < bytes.byteLength) {
        if (this.#state === "closed") throw this.#closedError("write");
        const written = await conn.write(offset === 0 ? bytes : bytes.subarray(offset));
        if (written <= 0) throw new Error(`the runtime accepted ${written} bytes`);
        offset += written;
      }
    } catch (error) {
      if (this.#state === "closed") throw this.#abortError ?? this.#closedError("write");
      this.#failure ??= toSmtpError(error, "write", this.#target());
      throw this.#failure;
    }
  }

  /** Upgrades the connection to TLS with `Deno.startTls`, verifying the certificate against the server name. */
  async startTls(options: { servername: string }): Promise<void> {
    if (this.#failure) throw this.#failure;
    if (this.#secure) throw new Error("the connection is already secure");
    if (this.#state !== "open") throw this.#closedError("startTls");
    if (this.#reading) throw new Error("startTls() while a read() is pending");
    await this.#writeTail;
    if (this.#state !== "open") throw this.#abortError ?? this.#closedError("startTls");
    this.#state = "upgrading";
    const plain = this.#conn as DenoTcpConn;
    const hostname = this.#servername ?? options.servername;
    const target = this.#target();
    const upgrade = async (): Promise<DenoTlsConn> => {
      const tlsOptions = this.#caCerts ? { hostname, caCerts: this.#caCerts } : { hostname };
      const tls = await this.#deno.startTls(plain, tlsOptions);
      this.#upgrading = tls;
      // Closed meanwhile (abort, or the time-out's clean-up ran before this resolved).
      if (this.#isClosed()) {
        closeQuietly(tls);
        throw this.#abortError ?? this.#closedError("startTls");
      }
      await tls.handshake();
      return tls;
    };
    try {
      const tls = await guard(upgrade(), {
        timeoutMs: this.#tlsHandshakeTimeout,
        timeoutError: () =>
          new SmtpError({
            kind: "timeout",
            phase: "tls",
            message: `the TLS handshake with ${target} timed out after ${this.#tlsHandshakeTimeout} ms`,
          }),
        cancel: () => this.#closeResources(),
        discard: closeQuietly,
      });
      // abort() may have run between the handshake's end and this line.
      if (this.#isClosed()) {
        closeQuietly(tls);
        throw this.#abortError ?? this.#closedError("startTls");
      }
      this.#conn = tls;
      this.#upgrading = undefined;
      this.#secure = true;
      this.#state = "open";
    } catch (error) {
      const failure =
        this.#abortError ??
        (error instanceof SmtpError ? error : toSmtpError(error, "starttls", this.#target()));
      this.#failure ??= failure;
      this.#state = "closed";
      this.#closeResources();
      throw failure;
    }
  }

  /** Closes the connection; a pending `read()` then resolves `null`. Idempotent. */
  async close(): Promise<void> {
    if (this.#state !== "closed") {
      this.#state = "closed";
      this.#closeResources();
    }
    // Let a cancelled read settle, so no operation of this transport outlives close().
    await this.#reading;
  }

  /** Closes the connection at once. A pending read resolves `null`; pending writes reject. */
  abort(reason?: unknown): void {
    if (this.#state === "closed") return;
    this.#abortError = abortedError(reason, `the connection to ${this.#target()}`);
    this.#state = "closed";
    this.#closeResources();
  }

  /** Read through a method: TypeScript would keep the narrowing of `#state` across awaits. */
  #isClosed(): boolean {
    return this.#state === "closed";
  }

  #closeResources(): void {
    closeQuietly(this.#upgrading);
    closeQuietly(this.#conn);
  }

  #target(): string {
    return `${this.#host}:${this.#port}`;
  }

  #tlsOnPlaintext(): SmtpError {
    return new SmtpError({
      kind: "tls",
      message:
        `${this.#target()} answered with TLS on a plaintext connection: ` +
        "it expects implicit TLS (secure: true, usually port 465).",
      retryable: false,
      detail: "tls-on-plaintext",
    });
  }

  #closedError(what: string): SmtpError {
    return new SmtpError({
      kind: "connection",
      message: `the connection to ${this.#target()} is closed (${what})`,
      retryable: true,
    });
  }
}
