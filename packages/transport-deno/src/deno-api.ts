/**
 * The few members of Deno's runtime API this package uses, declared locally so the
 * package builds with plain `tsc` (no Deno type package) and type-checks unchanged under
 * Deno, where the real `Deno` namespace is structurally compatible with these shapes.
 *
 * This is a module, not a global `declare namespace Deno`: a global declaration would
 * clash with Deno's own lib when Deno type-checks the package (`deno test`, `deno publish`).
 */

/** An IP address and port, as `Deno.NetAddr`. @since 0.1.0 */
export interface DenoNetAddr {
  /** The protocol. */
  transport: "tcp" | "udp";
  /** The IP address. */
  hostname: string;
  /** The port. */
  port: number;
}

/** The byte-stream half of `Deno.Conn` that the transport needs. @since 0.1.0 */
export interface DenoConn {
  /** Reads into `buffer`; the count read, or `null` at end of stream. */
  read(buffer: Uint8Array): Promise<number | null>;
  /** Writes some of `bytes`; the count written. */
  write(bytes: Uint8Array): Promise<number>;
  /** Closes the connection. */
  close(): void;
  /** Ends the sending direction only (a half-close); reading goes on. */
  closeWrite?(): Promise<void>;
  /** The local end. */
  readonly localAddr:
    | DenoNetAddr
    | {
        /** Another protocol (e.g. a Unix socket). */
        transport: string;
      };
  /** The remote end. */
  readonly remoteAddr:
    | DenoNetAddr
    | {
        /** Another protocol (e.g. a Unix socket). */
        transport: string;
      };
}

/** `Deno.TcpConn`: a plaintext TCP connection. @since 0.1.0 */
export interface DenoTcpConn extends DenoConn {
  /** Turns Nagle's algorithm off (`true`) or on. */
  setNoDelay(noDelay?: boolean): void;
}

/** `Deno.TlsConn`: a TLS connection; the handshake runs lazily unless driven. @since 0.1.0 */
export interface DenoTlsConn extends DenoConn {
  /** Completes the TLS handshake (certificate verification included). */
  handshake(): Promise<unknown>;
}

/** Options of `Deno.connect` used here. @since 0.1.0 */
export interface DenoConnectOptions {
  /** The host to connect to. */
  hostname: string;
  /** The port. */
  port: number;
  /** Always `"tcp"`. */
  transport: "tcp";
  /** Closes the TCP connection attempt when aborted. */
  signal?: unknown;
}

/** Options of `Deno.connectTls` used here (client certificate optional). @since 0.1.0 */
export interface DenoConnectTlsOptions {
  /** The host to connect to, also the name the certificate must match. */
  hostname: string;
  /** The port. */
  port: number;
  /** Extra trusted CA certificates (PEM). */
  caCerts?: string[];
  /** Client certificate chain (PEM). */
  cert?: string;
  /** The client certificate's private key (PEM). */
  key?: string;
}

/** Options of `Deno.startTls` used here. @since 0.1.0 */
export interface DenoStartTlsOptions {
  /** The name the certificate must match; also sent as SNI. */
  hostname: string;
  /** Extra trusted CA certificates (PEM). */
  caCerts?: string[];
}

/** The `Deno` global, reduced to what this package calls. @since 0.1.0 */
export interface DenoApi {
  /** `Deno.connect`: a TCP connection. */
  connect(options: DenoConnectOptions): Promise<DenoTcpConn>;
  /** `Deno.connectTls`: a TLS connection (implicit TLS). */
  connectTls(options: DenoConnectTlsOptions): Promise<DenoTlsConn>;
  /** `Deno.startTls`: upgrades a TCP connection to TLS (STARTTLS). */
  startTls(conn: DenoTcpConn, options: DenoStartTlsOptions): Promise<DenoTlsConn>;
}

/**
 * The running Deno's API, or `undefined` outside Deno.
 *
 * @since 0.1.0
 */
export function findDeno(): DenoApi | undefined {
  const candidate = (globalThis as { Deno?: unknown }).Deno;
  if (typeof candidate !== "object" || candidate === null) return undefined;
  const api = candidate as Partial<DenoApi>;
  return typeof api.connect === "function" &&
    typeof api.connectTls === "function" &&
    typeof api.startTls === "function"
    ? (candidate as DenoApi)
    : undefined;
}
