import type { Socket } from "node:net";
import { type TLSSocket, connect as tlsConnect } from "node:tls";
import { SmtpError, type Transport } from "@smtp/core";
import { abortedError, timeoutError, toSmtpError } from "./node-error.ts";
import type { NodeTlsOptions } from "./options.ts";
import { tlsConnectOptions } from "./tls-options.ts";

/** What a {@link NodeTransport} is built from: a connected socket and its settings. @since 0.1.0 */
export interface NodeTransportInit {
  /** A connected socket (for implicit TLS, a TLS socket whose handshake is done). */
  socket: Socket;
  /** The server's host, for error messages. */
  host: string;
  /** The server's port, for error messages. */
  port: number;
  /** Whether the socket is already TLS (implicit TLS). */
  secure: boolean;
  /** TLS settings for a later STARTTLS upgrade. */
  tls: NodeTlsOptions;
  /** Milliseconds the STARTTLS handshake may take. */
  tlsHandshakeTimeout: number;
  /** Milliseconds a graceful close may take before the socket is destroyed. */
  closeTimeout: number;
  /** Bytes read ahead of the caller at most (back-pressure on the socket). */
  maxReadBuffer: number;
}

interface Pending<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

const ignore = (): void => {};

/** A TLS record header: handshake (22) or alert (21), protocol major version 3. */
function looksLikeTls(bytes: Uint8Array): boolean {
  return (bytes[0] === 0x15 || bytes[0] === 0x16) && bytes[1] === 0x03;
}

/**
 * A {@link Transport} over a `node:net` socket, upgraded in place by STARTTLS.
 *
 * - `read()` hands out chunks in arrival order; at most `maxReadBuffer` bytes wait unread
 *   before the socket is paused, so a slow reader holds the server back instead of memory.
 * - `write()` makes exactly one `socket.write` per call and resolves once Node has flushed
 *   those bytes to the kernel (or encrypted them): the caller may then reuse the buffer, and
 *   at most one write per caller is in flight (back-pressure).
 * - `close()` ends the socket and waits (bounded) for it to close; `abort()` destroys it.
 *   Once the socket has closed, no listener or timer of this transport remains.
 *
 * @since 0.1.0
 */
export class NodeTransport implements Transport {
  readonly #host: string;
  readonly #port: number;
  readonly #tls: NodeTlsOptions;
  readonly #tlsHandshakeTimeout: number;
  readonly #closeTimeout: number;
  readonly #maxReadBuffer: number;
  readonly #localAddress: string | undefined;
  readonly #remoteAddress: string | undefined;
  #socket: Socket;
  /** The plaintext socket under a STARTTLS upgrade, destroyed together with the TLS one. */
  #plain: Socket | undefined;
  #secure: boolean;
  #queue: Uint8Array[] = [];
  #queued = 0;
  #paused = false;
  #sawData = false;
  #eof = false;
  #failure: SmtpError | undefined;
  /** Set by `abort()` during a STARTTLS handshake, so `startTls` rejects with it. */
  #abortedWith: SmtpError | undefined;
  #reader: Pending<Uint8Array | null> | undefined;
  #writers = new Set<Pending<void>>();
  #state: "open" | "upgrading" | "closing" | "closed" = "open";
  #closed: Promise<void>;
  #markClosed: () => void = ignore;

  constructor(init: NodeTransportInit) {
    this.#host = init.host;
    this.#port = init.port;
    this.#tls = init.tls;
    this.#tlsHandshakeTimeout = init.tlsHandshakeTimeout;
    this.#closeTimeout = init.closeTimeout;
    this.#maxReadBuffer = init.maxReadBuffer;
    this.#secure = init.secure;
    this.#socket = init.socket;
    this.#localAddress = init.socket.localAddress;
    this.#remoteAddress = init.socket.remoteAddress;
    this.#closed = new Promise((resolve) => {
      this.#markClosed = resolve;
    });
    // Here rather than in the connect options: it covers every socket a transport is built on.
    init.socket.setNoDelay(true);
    this.#attach(init.socket);
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

  /** Bytes received but not yet read (at most about `maxReadBuffer`: the socket pauses beyond). */
  get bufferedBytes(): number {
    return this.#queued;
  }

  /** The next chunk from the server, or `null` at end-of-stream (or after `close`/`abort`). */
  read(): Promise<Uint8Array | null> {
    if (this.#reader) return Promise.reject(new Error("read() is already pending"));
    const chunk = this.#queue.shift();
    if (chunk) {
      this.#queued -= chunk.byteLength;
      if (this.#paused && this.#queued < this.#maxReadBuffer) {
        this.#paused = false;
        this.#socket.resume();
      }
      return Promise.resolve(chunk);
    }
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#eof || this.#state === "closed" || this.#state === "closing") {
      return Promise.resolve(null);
    }
    return new Promise((resolve, reject) => {
      this.#reader = { resolve, reject };
    });
  }

  /** Sends `bytes` with one `socket.write`; resolves when the socket takes more. */
  write(bytes: Uint8Array): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#state !== "open" || this.#socket.destroyed || this.#socket.writableEnded) {
      return Promise.reject(this.#closedError("write"));
    }
    return new Promise((resolve, reject) => {
      const writer: Pending<void> = { resolve, reject };
      this.#writers.add(writer);
      // Resolve only once Node has let go of `bytes` (handed to the kernel, or encrypted by
      // TLS), so the caller may reuse the buffer (the engine's BODY_COPY_LIMIT rule). The
      // return value of socket.write() is not enough: it can be true while the tail of this
      // very buffer still waits in Node's queue after a partial kernel write.
      this.#socket.write(bytes, (error) => {
        if (!this.#writers.delete(writer)) return;
        if (!error) return writer.resolve();
        this.#fail(error);
        writer.reject(this.#failure);
      });
    });
  }

  /** Upgrades this socket to TLS (STARTTLS), verifying the certificate against the server name. */
  async startTls(options: { servername: string }): Promise<void> {
    if (this.#failure) throw this.#failure;
    if (this.#secure) throw new Error("the connection is already secure");
    if (this.#state !== "open") throw this.#closedError("startTls");
    if (this.#queued > 0) {
      // Bytes that arrived after the 220 to STARTTLS were sent before the handshake: an
      // attacker may have injected them, so they must never be read as post-TLS replies.
      const error = new SmtpError({
        kind: "protocol",
        message: "the server sent data after its reply to STARTTLS, before the TLS handshake",
        detail: "starttls-injection",
      });
      this.abort(error);
      throw error;
    }
    const plain = this.#socket;
    this.#detach(plain);
    plain.on("error", ignore);
    plain.once("close", () => plain.off("error", ignore));
    this.#plain = plain;
    this.#state = "upgrading";
    const name = this.#tls.servername ?? options.servername;
    const secureSocket = tlsConnect({ ...tlsConnectOptions(this.#tls, name), socket: plain });
    this.#socket = secureSocket;
    try {
      await this.#handshake(secureSocket);
    } catch (error) {
      const failure =
        this.#abortedWith ??
        (error instanceof SmtpError ? error : toSmtpError(error, this.#where("tls")));
      this.#failure ??= failure;
      this.#state = "closing";
      this.#attach(secureSocket);
      this.#destroy();
      throw failure;
    }
    this.#secure = true;
    this.#state = "open";
    this.#attach(secureSocket);
  }

  /** Ends the connection, waiting at most `closeTimeout` ms for the server to close. Idempotent. */
  async close(): Promise<void> {
    if (this.#state === "closed" || this.#state === "closing") return this.#closed;
    if (this.#state === "upgrading") {
      this.abort();
      return this.#closed;
    }
    this.#state = "closing";
    // Unread data would keep the socket from ever seeing the server's end-of-stream.
    this.#queue = [];
    this.#queued = 0;
    this.#settleReader(null);
    this.#rejectWriters(this.#closedError("write"));
    const socket = this.#socket;
    if (this.#paused) {
      this.#paused = false;
      socket.resume();
    }
    const timer = setTimeout(() => this.#destroy(), this.#closeTimeout);
    socket.end();
    await this.#closed;
    clearTimeout(timer);
  }

  /** Destroys the connection at once. A pending read resolves `null`; pending writes reject. */
  abort(reason?: unknown): void {
    if (this.#state === "closed") return;
    const error = abortedError(reason, `${this.#host}:${this.#port}`);
    this.#settleReader(null);
    this.#rejectWriters(error);
    if (this.#state === "upgrading") this.#abortedWith = error;
    else this.#state = "closing";
    this.#destroy();
  }

  #destroy(): void {
    this.#socket.destroy();
    this.#plain?.destroy();
    // During a STARTTLS handshake the listeners are off; its failure path finishes up.
    if (this.#state === "upgrading") return;
    if (this.#socket.closed) this.#onClose();
  }

  #handshake(socket: TLSSocket): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        done();
        reject(timeoutError("tls", this.#where("tls"), this.#tlsHandshakeTimeout));
      }, this.#tlsHandshakeTimeout);
      const onSecure = (): void => {
        done();
        resolve();
      };
      const onError = (error: Error): void => {
        done();
        reject(toSmtpError(error, this.#where("tls")));
      };
      const onClose = (): void => {
        done();
        reject(this.#closedError("the TLS handshake"));
      };
      const done = (): void => {
        clearTimeout(timer);
        socket.off("secureConnect", onSecure);
        socket.off("error", onError);
        socket.off("close", onClose);
      };
      socket.once("secureConnect", onSecure);
      socket.once("error", onError);
      socket.once("close", onClose);
    });
  }

  #attach(socket: Socket): void {
    socket.on("data", this.#onData);
    socket.on("end", this.#onEnd);
    socket.on("error", this.#onError);
    socket.on("close", this.#onClose);
  }

  #detach(socket: Socket): void {
    socket.off("data", this.#onData);
    socket.off("end", this.#onEnd);
    socket.off("error", this.#onError);
    socket.off("close", this.#onClose);
  }

  #onData = (chunk: Uint8Array): void => {
    const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (!this.#sawData) {
      this.#sawData = true;
      if (!this.#secure && looksLikeTls(bytes)) {
        this.#fail(
          new SmtpError({
            kind: "tls",
            message:
              `${this.#host}:${this.#port} answered with TLS on a plaintext connection: ` +
              "it expects implicit TLS (secure: true, usually port 465).",
            retryable: false,
            detail: "tls-on-plaintext",
          }),
        );
        this.#destroy();
        return;
      }
    }
    const reader = this.#reader;
    if (reader) {
      this.#reader = undefined;
      reader.resolve(bytes);
      return;
    }
    if (this.#state === "closing") return;
    this.#queue.push(bytes);
    this.#queued += bytes.byteLength;
    if (!this.#paused && this.#queued >= this.#maxReadBuffer) {
      this.#paused = true;
      this.#socket.pause();
    }
  };

  #onEnd = (): void => {
    this.#eof = true;
    this.#settleReader(null);
  };

  #onError = (error: Error): void => {
    this.#fail(error);
  };

  #onClose = (): void => {
    if (this.#state === "closed") return;
    this.#state = "closed";
    this.#eof = true;
    this.#detach(this.#socket);
    // After STARTTLS the plaintext socket sits under the TLS one; it goes with it.
    this.#plain?.destroy();
    if (this.#failure && this.#reader) {
      const reader = this.#reader;
      this.#reader = undefined;
      reader.reject(this.#failure);
    }
    this.#settleReader(null);
    this.#rejectWriters(this.#failure ?? this.#closedError("write"));
    this.#markClosed();
  };

  #fail(error: unknown): void {
    const failure = toSmtpError(error, this.#where("io"));
    this.#failure ??= failure;
    if (this.#reader && this.#queue.length === 0) {
      const reader = this.#reader;
      this.#reader = undefined;
      reader.reject(this.#failure);
    }
    this.#rejectWriters(this.#failure);
  }

  #settleReader(value: null): void {
    const reader = this.#reader;
    if (!reader) return;
    this.#reader = undefined;
    reader.resolve(value);
  }

  #rejectWriters(error: unknown): void {
    const writers = [...this.#writers];
    this.#writers.clear();
    for (const writer of writers) writer.reject(error);
  }

  #closedError(what: string): SmtpError {
    return new SmtpError({
      kind: "connection",
      message: `the connection to ${this.#host}:${this.#port} is closed (${what})`,
      retryable: true,
    });
  }

  #where(stage: "connect" | "tls" | "io"): { host: string; port: number; stage: typeof stage } {
    return { host: this.#host, port: this.#port, stage };
  }
}
