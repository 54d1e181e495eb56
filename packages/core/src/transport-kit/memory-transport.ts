import { type Deferred, deferred } from "./deferred.ts";
import { GuardedTransport } from "./guarded-transport.ts";
import { MemoryPipe, memoryError } from "./memory-pipe.ts";
import type { TransportPeer } from "./peer.ts";
import type { RuntimeErrorTable } from "./runtime-error.ts";
import { starttlsInjectionError } from "./transport-errors.ts";

/**
 * How the in-memory "runtime" reports failures, for `toTransportError`: socket-like codes.
 *
 * @since 0.1.0
 */
export const MEMORY_ERRORS: RuntimeErrorTable = {
  codes: {
    ECONNREFUSED: "network",
    ECONNRESET: "network",
    EPIPE: "network",
    ERR_TLS_CERT_ALTNAME_INVALID: "certificate",
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: "certificate",
  },
  codePatterns: [[/^ERR_SSL_/, "tls"]],
};

/** Settings of {@link memoryTransportPair}. @since 0.1.0 */
export interface MemoryTransportPairOptions {
  /** Bytes written and not yet read, per direction, before `write()` waits. Default 65536. */
  highWaterMark?: number;
  /** Whether both ends start inside (simulated) TLS, as after an implicit-TLS connect. Default `false`. */
  secure?: boolean;
  /** The names the server's simulated certificate is valid for. Default `["localhost"]`. */
  certificateNames?: string[];
  /** Whether the client trusts the server's simulated certificate. Default `true`. */
  trusted?: boolean;
  /** The server, as the client's errors name it. Default `memory:0`. */
  peer?: TransportPeer;
}

/** Both ends' STARTTLS: it completes once both have asked for it. */
class MemoryHandshake {
  readonly #names: readonly string[];
  readonly #trusted: boolean;
  #client: { servername: string; done: Deferred<void> } | undefined;
  #server: Deferred<void> | undefined;
  #abandoned = false;

  constructor(names: readonly string[], trusted: boolean) {
    this.#names = names;
    this.#trusted = trusted;
  }

  request(role: "client" | "server", servername: string): Promise<void> {
    if (this.#abandoned) return Promise.reject(this.#resetError());
    const done = deferred<void>();
    if (role === "client") this.#client = { servername, done };
    else this.#server = done;
    this.#settle();
    return done.promise;
  }

  /** One end went away: the other's handshake fails as a reset. */
  abandon(): void {
    this.#abandoned = true;
    const error = this.#resetError();
    this.#client?.done.reject(error);
    this.#server?.reject(error);
    this.#client = undefined;
    this.#server = undefined;
  }

  #resetError(): Error {
    return memoryError("ECONNRESET", "the peer closed the connection during the handshake");
  }

  #settle(): void {
    const client = this.#client;
    const server = this.#server;
    if (!client || !server) return;
    this.#client = undefined;
    this.#server = undefined;
    if (!this.#trusted) {
      client.done.reject(memoryError("UNABLE_TO_VERIFY_LEAF_SIGNATURE", "untrusted certificate"));
      server.reject(memoryError("ERR_SSL_TLSV1_ALERT_UNKNOWN_CA", "alert: unknown CA"));
    } else if (!this.#names.includes(client.servername)) {
      client.done.reject(
        memoryError(
          "ERR_TLS_CERT_ALTNAME_INVALID",
          `certificate not valid for ${client.servername}`,
        ),
      );
      server.reject(memoryError("ERR_SSL_TLSV1_ALERT_BAD_CERTIFICATE", "alert: bad certificate"));
    } else {
      client.done.resolve();
      server.resolve();
    }
  }
}

/**
 * One end of an in-memory connection made by {@link memoryTransportPair}: a real
 * {@link GuardedTransport} over two in-memory pipes, for tests that need a transport
 * without a network. Back-pressure works both ways; `close()` ends this side (the peer
 * reads `null`) and `abort()` resets it (the peer's reads fail with `ECONNRESET`). STARTTLS
 * is simulated: both ends call `startTls`, and the client's fails with a certificate error
 * when the server's simulated certificate is untrusted or not for its server name.
 *
 * @since 0.1.0
 */
export class MemoryTransport extends GuardedTransport {
  readonly #role: "client" | "server";
  readonly #in: MemoryPipe;
  readonly #out: MemoryPipe;
  readonly #handshake: MemoryHandshake;

  /** @internal Built by {@link memoryTransportPair}. */
  constructor(
    role: "client" | "server",
    pipes: { in: MemoryPipe; out: MemoryPipe },
    handshake: MemoryHandshake,
    init: { peer: TransportPeer; secure: boolean },
  ) {
    super({ peer: init.peer, errors: MEMORY_ERRORS, secure: init.secure });
    this.#role = role;
    this.#in = pipes.in;
    this.#out = pipes.out;
    this.#handshake = handshake;
  }

  /**
   * Ends this end's direction only (a half-close): the other end reads `null` after what
   * was written, and this end can still read.
   */
  end(): void {
    this.#out.end();
  }

  /** Bytes the other end wrote that this end has not read yet. */
  get bufferedBytes(): number {
    return this.#in.size;
  }

  protected receive(): Promise<Uint8Array | null> {
    return this.#in.read();
  }

  protected send(bytes: Uint8Array): Promise<void> {
    return this.#out.write(bytes);
  }

  protected upgrade(servername: string): Promise<void> {
    // As on a socket: bytes already received came in plaintext and must not be read as TLS.
    if (this.#in.size > 0) return Promise.reject(starttlsInjectionError(this.peer));
    return this.#handshake.request(this.#role, servername);
  }

  protected override endWrite(): void {
    this.end();
  }

  protected async shutdown(): Promise<void> {
    this.#out.end();
    this.#in.abandon(memoryError("EPIPE", "the peer closed the connection"));
  }

  protected destroy(): void {
    this.#out.reset(memoryError("ECONNRESET", "the peer reset the connection"));
    this.#in.abandon(memoryError("EPIPE", "the peer reset the connection"));
    this.#handshake.abandon();
  }
}

/** The two ends made by {@link memoryTransportPair}. @since 0.1.0 */
export interface MemoryTransportPair {
  /** The client's end: hand it to the code under test. */
  client: MemoryTransport;
  /** The server's end: the test plays the server with it. */
  server: MemoryTransport;
}

/**
 * Two connected in-memory transports: what one writes, the other reads. For tests of code
 * that drives a `Transport` (a session's driver, a proxy), and to run the transport
 * conformance suite without a network.
 *
 * @since 0.1.0
 */
export function memoryTransportPair(options: MemoryTransportPairOptions = {}): MemoryTransportPair {
  const highWaterMark = options.highWaterMark ?? 65_536;
  const up = new MemoryPipe(highWaterMark);
  const down = new MemoryPipe(highWaterMark);
  const handshake = new MemoryHandshake(
    options.certificateNames ?? ["localhost"],
    options.trusted ?? true,
  );
  const peer = options.peer ?? { host: "memory", port: 0 };
  const secure = options.secure ?? false;
  return {
    client: new MemoryTransport("client", { in: down, out: up }, handshake, { peer, secure }),
    server: new MemoryTransport("server", { in: up, out: down }, handshake, {
      peer: { host: "memory-client", port: 0 },
      secure,
    }),
  };
}
