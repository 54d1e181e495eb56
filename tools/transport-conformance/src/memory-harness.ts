// The conformance harness over the kit's in-memory transport: a "network" of memory
// servers, so the suite itself is checked under vitest without a socket, and a transport
// with no network of its own (a proxy, a test double) can be run through the suite.

import type { Connector, Transport } from "@smtp/core/transport-kit";
import {
  abortedError,
  MEMORY_ERRORS,
  type MemoryTransport,
  memoryTransportPair,
  raceSignal,
  type TlsOptions,
  toTransportError,
} from "@smtp/core/transport-kit";
import { AcceptQueue } from "./accept-queue.ts";
import type { ConformanceHarness, ServerConnection, TestServer } from "./harness.ts";

const CA = "-----BEGIN CERTIFICATE-----\nmemory test CA\n-----END CERTIFICATE-----\n";
const NAMES = ["localhost", "127.0.0.1"];

function socketError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

class MemoryConnection implements ServerConnection {
  readonly #end: MemoryTransport;

  constructor(end: MemoryTransport) {
    this.#end = end;
  }

  read(): Promise<Uint8Array | null> {
    return this.#end.read();
  }

  write(bytes: Uint8Array): Promise<void> {
    return this.#end.write(bytes);
  }

  startTls(): Promise<void> {
    return this.#end.startTls({ servername: "" });
  }

  async end(): Promise<void> {
    this.#end.end();
  }

  reset(): void {
    this.#end.abort();
  }
}

class MemoryServer implements TestServer {
  readonly host = "127.0.0.1";
  readonly port: number;
  readonly implicit: boolean;
  readonly #network: Map<number, MemoryServer>;
  readonly #ends = new Set<MemoryTransport>();
  readonly #queue = new AcceptQueue();

  constructor(network: Map<number, MemoryServer>, port: number, implicit: boolean) {
    this.#network = network;
    this.port = port;
    this.implicit = implicit;
    network.set(port, this);
  }

  get accepted(): number {
    return this.#queue.accepted;
  }

  /** A client connected: the server's end joins the accept queue. */
  take(end: MemoryTransport): void {
    this.#ends.add(end);
    this.#queue.add(new MemoryConnection(end));
  }

  accept(): Promise<ServerConnection> {
    return this.#queue.next();
  }

  async close(): Promise<void> {
    this.#network.delete(this.port);
    for (const end of this.#ends) end.abort();
    await Promise.all([...this.#ends].map((end) => end.close()));
    this.#ends.clear();
  }
}

/**
 * A {@link ConformanceHarness} over memory, with the connector it serves: certificates are
 * simulated (the client trusts the server when its `tls.ca` holds the harness's CA, and
 * checks the name); implicit TLS to a plaintext server never completes, as on a socket.
 */
export function memoryNetwork(): {
  harness: ConformanceHarness;
  connector: (tls: TlsOptions) => Connector;
} {
  const network = new MemoryNetwork();
  return {
    harness: network.harness,
    connector: (tls) => (target, signal) => network.connect(tls, target, signal),
  };
}

class MemoryNetwork {
  readonly #servers = new Map<number, MemoryServer>();
  #nextPort = 40_000;
  readonly harness: ConformanceHarness;

  constructor() {
    this.harness = {
      caPem: CA,
      listen: async (options = {}) =>
        new MemoryServer(this.#servers, this.#nextPort++, options.tls === "implicit"),
      refusedPort: async () => this.#nextPort++,
    };
  }

  async connect(
    tls: TlsOptions,
    target: Parameters<Connector>[0],
    signal: Parameters<Connector>[1],
  ): Promise<Transport> {
    const peer = { host: target.host, port: target.port };
    if (signal?.aborted) throw abortedError(signal.reason, peer);
    const server = this.#servers.get(target.port);
    const fail = (code: string, message: string, stage: "connect" | "tls") =>
      toTransportError(socketError(code, message), MEMORY_ERRORS, peer, stage);
    if (!server) throw fail("ECONNREFUSED", "connection refused", "connect");
    const implicit = target.tls === "implicit";
    const cas = tls.ca === undefined ? [] : Array.isArray(tls.ca) ? tls.ca : [tls.ca];
    const trusted = cas.some((ca) => typeof ca === "string" && ca === CA);
    const { client, server: end } = memoryTransportPair({
      peer,
      secure: implicit,
      trusted,
      certificateNames: NAMES,
    });
    server.take(end);
    if (!implicit) return client;
    // The handshake of implicit TLS: a plaintext server never answers it.
    const handshake = server.implicit ? Promise.resolve() : new Promise<void>(() => {});
    await raceSignal(handshake, signal, { peer, cancel: () => client.abort(), discard: () => {} });
    const name = tls.servername ?? target.host;
    if (!trusted || !NAMES.includes(name)) {
      client.abort();
      end.abort();
      throw fail(
        trusted ? "ERR_TLS_CERT_ALTNAME_INVALID" : "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
        "certificate not accepted",
        "tls",
      );
    }
    return client;
  }
}
