/**
 * A byte stream to an SMTP server, as the client's driver loop needs it.
 * Runtime packages (`@smtp/transport-node`, `@smtp/transport-deno`) implement it;
 * a proxy or an edge runtime is just another implementation.
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
  /** Graceful close; idempotent. */
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
  /** Give up connecting (including the implicit TLS handshake) after this many milliseconds. */
  connectTimeout?: number;
}

/** Opens a {@link Transport}. @since 0.1.0 */
export type Connector = (target: ConnectTarget, signal?: AbortSignal) => Promise<Transport>;
