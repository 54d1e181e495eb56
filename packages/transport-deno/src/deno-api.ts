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
  transport: "tcp" | "udp";
  hostname: string;
  port: number;
}

/** The byte-stream half of `Deno.Conn` that the transport needs. @since 0.1.0 */
export interface DenoConn {
  read(buffer: Uint8Array): Promise<number | null>;
  write(bytes: Uint8Array): Promise<number>;
  close(): void;
  readonly localAddr: DenoNetAddr | { transport: string };
  readonly remoteAddr: DenoNetAddr | { transport: string };
}

/** `Deno.TcpConn`: a plaintext TCP connection. @since 0.1.0 */
export interface DenoTcpConn extends DenoConn {
  setNoDelay(noDelay?: boolean): void;
}

/** `Deno.TlsConn`: a TLS connection; the handshake runs lazily unless driven. @since 0.1.0 */
export interface DenoTlsConn extends DenoConn {
  handshake(): Promise<unknown>;
}

/** Options of `Deno.connect` used here. @since 0.1.0 */
export interface DenoConnectOptions {
  hostname: string;
  port: number;
  transport: "tcp";
  /** Closes the TCP connection attempt when aborted. */
  signal?: unknown;
}

/** Options of `Deno.connectTls` used here (client certificate optional). @since 0.1.0 */
export interface DenoConnectTlsOptions {
  hostname: string;
  port: number;
  caCerts?: string[];
  cert?: string;
  key?: string;
}

/** Options of `Deno.startTls` used here. @since 0.1.0 */
export interface DenoStartTlsOptions {
  /** The name the certificate must match; also sent as SNI. */
  hostname: string;
  caCerts?: string[];
}

/** The `Deno` global, reduced to what this package calls. @since 0.1.0 */
export interface DenoApi {
  connect(options: DenoConnectOptions): Promise<DenoTcpConn>;
  connectTls(options: DenoConnectTlsOptions): Promise<DenoTlsConn>;
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
