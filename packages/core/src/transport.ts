/**
 * A byte stream to an SMTP server, as the client's driver loop needs it.
 * Runtime packages (`@smtp/transport-node`, `@smtp/transport-deno`) implement it;
 * a proxy or an edge runtime is just another implementation. A transport only moves
 * bytes, upgrades TLS and reports what its runtime said: it keeps no clock (the session's
 * deadlines are enforced by its driver, which calls `abort()`) and checks no protocol.
 * `@smtp/core/transport-kit` holds the bookkeeping every implementation shares.
 *
 * @since 0.1.0
 */
export interface Transport {
  /** The next chunk from the server, or `null` at end-of-stream. At most one read is outstanding. */
  read(): Promise<Uint8Array | null>;
  /**
   * Resolves once the transport no longer needs `bytes` (handed to the operating system, or
   * encrypted): the caller may then change or reuse the buffer. Awaiting it is the
   * back-pressure point.
   */
  write(bytes: Uint8Array): Promise<void>;
  /** Upgrades this connection to TLS in place (STARTTLS), verifying the server's certificate. */
  startTls(options: { servername: string }): Promise<void>;
  /**
   * Ends the sending direction (a half-close: TCP FIN, after TLS's close_notify when
   * secure) once every write before it is out, and keeps reading until the server closes.
   * Later writes reject. The driver calls it right after QUIT: some servers hold their 221
   * until the client has closed its side (Exim 4.96 waits up to 200 ms for it). Optional:
   * without it, the driver waits for the server to answer and close.
   *
   * @since 0.2.0
   */
  closeWrite?(): Promise<void>;
  /** Graceful close; idempotent. It may wait for the server: bound it, and `abort()` past that. */
  close(): Promise<void>;
  /** Immediate destroy, used on every error path; idempotent. */
  abort(reason?: unknown): void;
  /** Whether the bytes now travel inside TLS. */
  readonly secure: boolean;
  /** The local IP address of the connection, when known (for an address-literal EHLO name). */
  readonly localAddress?: string | undefined;
  /** The remote IP address of the connection, when known (e.g. to tell whether it is loopback). */
  readonly remoteAddress?: string | undefined;
}

/** Where and how to connect. @since 0.1.0 */
export interface ConnectTarget {
  /** The server's host name or IP address. */
  host: string;
  /** The TCP port. */
  port: number;
  /** `implicit`: TLS from the first byte (port 465); otherwise plaintext, maybe upgraded later. */
  tls: "implicit" | "starttls" | "none";
  /**
   * The caller's connect deadline in milliseconds, for information: `@smtp`'s transports
   * keep no clock and stop connecting when the connector's signal fires, which
   * `@smtp/client` aborts at this deadline.
   */
  connectTimeout?: number;
}

/**
 * Opens a {@link Transport}: the TCP connect and, for implicit TLS, the handshake. The
 * signal is its deadline: when it fires, the connector gives up, releases what it opened,
 * and rejects with the signal's reason. @since 0.1.0
 */
export type Connector = (target: ConnectTarget, signal?: AbortSignal) => Promise<Transport>;
