import type { Socket } from "node:net";
import { type TLSSocket, connect as tlsConnect } from "node:tls";
import { ChunkQueue, closedError, GuardedTransport } from "@smtp/core/transport-kit";
import { NODE_ERRORS } from "./node-errors.ts";
import type { NodeTlsOptions } from "./options.ts";
import { type NodeTlsInfo, readTlsInfo } from "./tls-info.ts";
import { tlsConnectOptions } from "./tls-options.ts";
import { keepSessions, type TlsSessionCache } from "./tls-sessions.ts";

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
  /** Bytes read ahead of the caller at most (back-pressure on the socket). */
  maxReadBuffer: number;
  /** Sessions to resume and keep in a STARTTLS handshake (a connector's, by server). */
  sessions?: TlsSessionCache;
}

const ignore = (): void => {};

/**
 * A {@link Transport} over a `node:net` socket, upgraded in place by STARTTLS; the
 * bookkeeping is the kit's `GuardedTransport`.
 *
 * - Chunks wait in arrival order; past `maxReadBuffer` unread bytes the socket is paused,
 *   so a slow reader holds the server back instead of memory.
 * - `write()` makes one `socket.write` per call and resolves once Node has flushed those
 *   bytes to the kernel (or encrypted them): the caller may then reuse the buffer.
 * - `close()` ends the socket and resolves once it has closed (the caller bounds the wait
 *   and calls `abort()` past it); `abort()` destroys it. After either, no listener of this
 *   transport remains.
 *
 * @since 0.1.0
 */
export class NodeTransport extends GuardedTransport {
  readonly #tls: NodeTlsOptions;
  readonly #sessions: TlsSessionCache | undefined;
  readonly #localAddress: string | undefined;
  readonly #remoteAddress: string | undefined;
  readonly #queue: ChunkQueue;
  #socket: Socket;
  /** The plaintext socket under a STARTTLS upgrade, destroyed together with the TLS one. */
  #plain: Socket | undefined;
  /** Resolves once the current socket has closed. */
  #closed: Promise<void>;
  /** Rejects the `send` in flight (at most one: the guard orders writes) when the socket closes first. */
  #sending: ((error: unknown) => void) | undefined;
  readonly #listeners = new Map<Socket, Listeners>();
  /** The socket's error, reported to a write that comes after it. */
  #socketError: Error | undefined;

  constructor(init: NodeTransportInit) {
    super({ peer: { host: init.host, port: init.port }, errors: NODE_ERRORS, secure: init.secure });
    this.#tls = init.tls;
    this.#sessions = init.sessions;
    this.#socket = init.socket;
    this.#localAddress = init.socket.localAddress;
    this.#remoteAddress = init.socket.remoteAddress;
    this.#queue = new ChunkQueue({
      highWaterMark: init.maxReadBuffer,
      pause: () => this.#socket.pause(),
      resume: () => this.#socket.resume(),
    });
    // Here rather than in the connect options: it covers every socket a transport is built on.
    init.socket.setNoDelay(true);
    this.#closed = this.#attach(init.socket);
  }

  /** The local IP address of the connection. */
  get localAddress(): string | undefined {
    return this.#localAddress;
  }

  /** The server's IP address. */
  get remoteAddress(): string | undefined {
    return this.#remoteAddress;
  }

  /**
   * What TLS negotiated (protocol, cipher, whether the certificate verified) and the
   * server's certificate chain, once the connection is TLS (implicit TLS, or after
   * `startTls`); `undefined` before, and once the socket is gone. For diagnostics such as
   * `smtp probe`: sending mail never needs it.
   *
   * @since 0.2.0
   */
  tlsInfo(): NodeTlsInfo | undefined {
    if (!this.secure || this.#socket.destroyed) return undefined;
    return readTlsInfo(this.#socket as TLSSocket);
  }

  /**
   * Whether the connection's TLS handshake resumed an earlier session instead of making a
   * full one (`false` without TLS).
   *
   * @since 0.2.0
   */
  get tlsSessionReused(): boolean {
    const socket = this.#socket as Partial<TLSSocket>;
    return typeof socket.isSessionReused === "function" && socket.isSessionReused();
  }

  /** Bytes received but not yet read (at most about `maxReadBuffer`: the socket pauses beyond). */
  get bufferedBytes(): number {
    return this.#queue.size;
  }

  protected receive(): Promise<Uint8Array | null> {
    return this.#queue.take();
  }

  protected send(bytes: Uint8Array): Promise<void> {
    const socket = this.#socket;
    if (socket.destroyed || socket.writableEnded) {
      return Promise.reject(this.#socketError ?? closedError(this.peer, "write"));
    }
    return new Promise<void>((resolve, reject) => {
      this.#sending = reject;
      // Resolve only once Node has let go of `bytes` (handed to the kernel, or encrypted by
      // TLS), so the caller may reuse the buffer (the engine's BODY_COPY_LIMIT rule). The
      // return value of socket.write() is not enough: it can be true while the tail of this
      // very buffer still waits in Node's queue after a partial kernel write.
      socket.write(bytes, (error) => {
        if (this.#sending === reject) this.#sending = undefined;
        if (error) reject(error);
        else resolve();
      });
    });
  }

  protected async upgrade(servername: string): Promise<void> {
    this.#queue.assertDrained(this.peer);
    const plain = this.#socket;
    this.#detach(plain);
    // A late error of the socket under TLS must not become an uncaught exception.
    plain.on("error", ignore);
    plain.once("close", () => plain.off("error", ignore));
    this.#plain = plain;
    const name = this.#tls.servername ?? servername;
    const slot = this.#sessions?.slot(this.peer.host, this.peer.port, name);
    const secure = keepSessions(
      tlsConnect({ ...tlsConnectOptions(this.#tls, name, slot?.get()), socket: plain }),
      slot,
    );
    this.#socket = secure;
    secure.on("error", ignore);
    await handshake(secure);
    secure.off("error", ignore);
    this.#closed = this.#attach(secure);
  }

  protected override endWrite(): void {
    // FIN (after TLS's close_notify); the socket reads on until the server closes.
    this.#socket.end();
  }

  protected shutdown(): Promise<void> {
    // Unread data would keep a paused socket from ever seeing the server's end-of-stream.
    this.#queue.discard();
    this.#socket.end();
    return this.#closed;
  }

  protected destroy(): void {
    this.#socket.destroy();
    this.#plain?.destroy();
    this.#queue.end();
  }

  /** Feeds the queue from `socket`; the promise resolves once it has closed, listeners removed. */
  #attach(socket: Socket): Promise<void> {
    return new Promise((resolve) => {
      const onData = (chunk: Uint8Array): void => {
        this.#queue.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      };
      const onEnd = (): void => this.#queue.end();
      const onError = (error: Error): void => {
        this.#socketError ??= error;
        this.#queue.fail(error);
        this.#sending?.(error);
      };
      const onClose = (): void => {
        this.#detach(socket);
        this.#queue.end();
        this.#sending?.(closedError(this.peer, "write"));
        // After STARTTLS the plaintext socket sits under the TLS one; it goes with it.
        this.#plain?.destroy();
        resolve();
      };
      this.#listeners.set(socket, { onData, onEnd, onError, onClose });
      socket.on("data", onData);
      socket.on("end", onEnd);
      socket.on("error", onError);
      socket.on("close", onClose);
      if (socket.closed) onClose();
    });
  }

  #detach(socket: Socket): void {
    const listeners = this.#listeners.get(socket);
    if (!listeners) return;
    this.#listeners.delete(socket);
    socket.off("data", listeners.onData);
    socket.off("end", listeners.onEnd);
    socket.off("error", listeners.onError);
    socket.off("close", listeners.onClose);
  }
}

interface Listeners {
  onData(chunk: Uint8Array): void;
  onEnd(): void;
  onError(error: Error): void;
  onClose(): void;
}

/** Resolves when `socket` is secure; rejects with its error, or when it closes first. */
function handshake(socket: TLSSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      socket.off("secureConnect", onSecure);
      socket.off("error", onError);
      socket.off("close", onClose);
    };
    const onSecure = (): void => {
      done();
      resolve();
    };
    const onError = (error: Error): void => {
      done();
      reject(error);
    };
    const onClose = (): void => {
      done();
      const error = new Error("the connection closed during the TLS handshake");
      reject(Object.assign(error, { code: "ECONNRESET" }));
    };
    socket.once("secureConnect", onSecure);
    socket.once("error", onError);
    socket.once("close", onClose);
  });
}
