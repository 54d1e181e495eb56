// The conformance harness over node:net and node:tls, which Node, Bun and Deno all have:
// the servers the suite talks to, whatever runtime's transport is under test.
import { once } from "node:events";
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { createSecureContext, type SecureContext, TLSSocket } from "node:tls";
import { AcceptQueue } from "./accept-queue.ts";
import type { ConformanceHarness, ServerConnection, TestServer } from "./harness.ts";

export type { ConformanceHarness } from "./harness.ts";

/** A server certificate for `localhost` and `127.0.0.1`, and the CA that signed it (PEM). */
export interface HarnessCertificates {
  /** The CA, as clients trust it. */
  caPem: string;
  /** The server's certificate chain. */
  certPem: string;
  /** The server's private key. */
  keyPem: string;
}

/** Pulls chunks from a stream only when asked: nothing is read until `read()` is called. */
class Puller {
  readonly #stream: Socket;
  #ended = false;
  #error: Error | undefined;
  #wake: (() => void) | undefined;
  readonly #onReadable = (): void => this.#notify();
  readonly #onEnd = (): void => {
    this.#ended = true;
    this.#notify();
  };
  readonly #onError = (error: Error): void => {
    this.#error ??= error;
    this.#notify();
  };

  constructor(stream: Socket) {
    this.#stream = stream;
    stream.on("readable", this.#onReadable);
    stream.on("end", this.#onEnd);
    stream.on("close", this.#onEnd);
    stream.on("error", this.#onError);
  }

  async read(): Promise<Uint8Array | null> {
    for (;;) {
      const chunk = this.#stream.read() as Uint8Array | null;
      if (chunk !== null) return new Uint8Array(chunk);
      if (this.#error) throw this.#error;
      if (this.#ended) return null;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  detach(): void {
    this.#stream.off("readable", this.#onReadable);
    this.#stream.off("end", this.#onEnd);
    this.#stream.off("close", this.#onEnd);
    this.#stream.off("error", this.#onError);
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

const ignore = (): void => {};

class NetConnection implements ServerConnection {
  readonly #plain: Socket;
  readonly #context: SecureContext;
  #stream: Socket;
  #puller: Puller;

  constructor(plain: Socket, context: SecureContext, implicit: boolean) {
    this.#plain = plain;
    this.#context = context;
    plain.on("error", ignore);
    this.#stream = implicit ? this.#secure() : plain;
    this.#puller = new Puller(this.#stream);
  }

  read(): Promise<Uint8Array | null> {
    return this.#puller.read();
  }

  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#stream.write(bytes, (error) => (error ? reject(error) : resolve()));
    });
  }

  async startTls(): Promise<void> {
    this.#puller.detach();
    this.#stream = this.#secure();
    this.#puller = new Puller(this.#stream);
    const [event] = await Promise.race([
      once(this.#stream, "secure"),
      once(this.#stream, "close").then(() => ["close"]),
    ]);
    if (event === "close") throw new Error("the client left during the TLS handshake");
  }

  end(): Promise<void> {
    // Node ends a socket by itself once the client has ended its side (no half-open).
    if (this.#stream.writableEnded) return Promise.resolve();
    return new Promise((resolve) => this.#stream.end(() => resolve()));
  }

  reset(): void {
    this.#plain.resetAndDestroy();
  }

  destroy(): void {
    this.#stream.destroy();
    this.#plain.destroy();
  }

  #secure(): Socket {
    const secure = new TLSSocket(this.#plain, { isServer: true, secureContext: this.#context });
    secure.on("error", ignore);
    return secure;
  }
}

class NetServer implements TestServer {
  readonly host = "127.0.0.1";
  readonly port: number;
  readonly #server: Server;
  readonly #connections = new Set<NetConnection>();
  readonly #sockets = new Set<Socket>();
  readonly #queue = new AcceptQueue();
  #closing: Promise<void> | undefined;

  constructor(server: Server, context: SecureContext, implicit: boolean) {
    this.#server = server;
    this.port = (server.address() as AddressInfo).port;
    server.on("connection", (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once("close", () => this.#sockets.delete(socket));
      const connection = new NetConnection(socket, context, implicit);
      this.#connections.add(connection);
      this.#queue.add(connection);
    });
  }

  get accepted(): number {
    return this.#queue.accepted;
  }

  accept(): Promise<ServerConnection> {
    return this.#queue.next();
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
      for (const connection of this.#connections) connection.destroy();
      await closed;
      // Every socket's 'close' has run: nothing of the server is left.
      while (this.#sockets.size > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    })();
    return this.#closing;
  }
}

/** Counts of Node's active resources (sockets, servers, timers), as Node and Bun report them. */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  const info = (process as { getActiveResourcesInfo?: () => string[] }).getActiveResourcesInfo;
  for (const name of info?.() ?? []) {
    if (name === "Immediate" || name === "TTYWrap" || name === "FSReqCallback") continue;
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

/**
 * A {@link ConformanceHarness} over `node:net`/`node:tls`: loopback servers on 127.0.0.1,
 * a server-side STARTTLS with `certificates`. `resources` is the leak check, e.g.
 * {@link activeResources} on Node (Deno's sanitizers check by themselves).
 */
export function nodeNetHarness(
  certificates: HarnessCertificates,
  options: { resources?: () => Record<string, number> } = {},
): ConformanceHarness {
  const context = createSecureContext({ cert: certificates.certPem, key: certificates.keyPem });
  const listen = async (): Promise<Server> => {
    const server = createServer();
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    return server;
  };
  return {
    caPem: certificates.caPem,
    async listen(opts = {}) {
      const implicit = opts.tls === "implicit";
      return new NetServer(await listen(), context, implicit);
    },
    async refusedPort() {
      const server = await listen();
      const { port } = server.address() as AddressInfo;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      return port;
    },
    ...(options.resources ? { resources: options.resources } : {}),
  };
}
