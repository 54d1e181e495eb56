import type { DenoApi } from "./deno-api.ts";

/**
 * Options of {@link denoConnector}.
 *
 * Certificates are always verified. Unlike Node's `ca`, `caCerts` adds to Deno's
 * default roots rather than replacing them.
 *
 * @since 0.1.0
 */
export interface DenoConnectorOptions {
  /** Extra trusted CA certificates (PEM), e.g. a private CA; an entry that is not PEM is refused. */
  caCerts?: string[];
  /**
   * Client certificate chain (PEM), with `key`. Only for implicit TLS with no other
   * `servername` (Deno cannot send one after STARTTLS); otherwise refused when connecting.
   */
  cert?: string;
  /** Private key of `cert` (PEM). */
  key?: string;
  /** The name sent as SNI and checked against the certificate. Default: the host (implicit TLS) or the session's server name (STARTTLS). */
  servername?: string;
  /** Connect timeout in ms when the target gives none (TCP connect plus implicit TLS handshake). Default 30000. */
  connectTimeout?: number;
  /** Deadline of the STARTTLS handshake in ms. Default: the connect timeout. */
  tlsHandshakeTimeout?: number;
  /** Size of each read from the connection in bytes. Default 16384. */
  readSize?: number;
  /** The Deno API to use instead of the global `Deno` (for tests or wrappers). */
  deno?: DenoApi;
}

/** Defaults of {@link DenoConnectorOptions}. @since 0.1.0 */
export const DENO_CONNECTOR_DEFAULTS: {
  /** Milliseconds to connect, the implicit TLS handshake included. */
  readonly connectTimeout: number;
  /** Bytes per read buffer. */
  readonly readSize: number;
} = {
  connectTimeout: 30_000,
  readSize: 16_384,
};
