import type { Connector, TlsOptions } from "@smtp/core/transport-kit";

/**
 * The runtime-specific half of the conformance suite: loopback servers, their certificate,
 * and how to look for leftovers. The suite itself is plain TypeScript and runs anywhere.
 */
export interface ConformanceHarness {
  /**
   * Starts a server on loopback (port 0). With `tls: "implicit"` it is TLS from the first
   * byte, with a certificate for `localhost` and `127.0.0.1` signed by {@link caPem}.
   */
  listen(options?: { tls?: "implicit" }): Promise<TestServer>;
  /** A loopback port where nothing listens (a connection is refused). */
  refusedPort(): Promise<number>;
  /** The CA that signed the servers' certificate (PEM). */
  readonly caPem: string;
  /**
   * Counts of the runtime's open resources (sockets, servers, timers), compared before a
   * connection and after its `close()`. Absent where the runtime checks leaks by itself
   * (Deno's sanitizers) or cannot tell.
   */
  resources?(): Record<string, number>;
}

/** A loopback server of the harness. */
export interface TestServer {
  /** The address to connect to. */
  readonly host: string;
  /** Its port. */
  readonly port: number;
  /** How many connections it has accepted so far. */
  readonly accepted: number;
  /** The next connection. */
  accept(): Promise<ServerConnection>;
  /** Stops listening and destroys every connection; resolves once all is released. */
  close(): Promise<void>;
}

/** The server's side of one connection. Nothing is read from it until `read()` is called. */
export interface ServerConnection {
  /** The next chunk, or `null` once the client ended its side (or the connection is gone). */
  read(): Promise<Uint8Array | null>;
  /** Resolves once the runtime has taken `bytes` (it waits while the client reads nothing). */
  write(bytes: Uint8Array): Promise<void>;
  /** Upgrades to TLS as the server (after it answered STARTTLS), with the harness's certificate. */
  startTls(): Promise<void>;
  /** Ends the server's side; the client then reads `null`. */
  end(): Promise<void>;
  /** Resets the connection (TCP RST). */
  reset(): void;
}

/** Registers one test with the runner (vitest's `it`, `bun:test`'s `test`, `Deno.test`). */
export type RegisterTest = (name: string, run: () => Promise<void>) => void;

/**
 * What a runtime cannot do the way the suite expects, each stated in the transport's
 * README. The cases concerned then check the behaviour that remains (the same outcome,
 * later or less precisely told), never nothing.
 */
export interface RuntimeLimits {
  /**
   * The detail of a refused connection when the runtime cannot tell it from other connect
   * failures (workerd: `connect-failed`). Default `ECONNREFUSED`.
   */
  refusedDetail?: string;
  /**
   * The TLS handshake (implicit, and after `startTls()`) runs with the first read or write
   * instead of before the connector or `startTls()` resolves (workerd); a failed handshake
   * fails that operation and every later one.
   */
  handshakeOnFirstIo?: boolean;
}

/** What {@link runTransportConformance} runs. */
export interface ConformanceOptions {
  /** Names the transport in every test name. */
  name: string;
  /** The transport under test: a connector with the given TLS options. */
  connector(tls: TlsOptions): Connector;
  /** The runtime's servers and leak check. */
  harness: ConformanceHarness;
  /** The runner's test function. */
  test: RegisterTest;
  /** What the runtime cannot do as the suite expects; none by default. */
  limits?: RuntimeLimits;
}
