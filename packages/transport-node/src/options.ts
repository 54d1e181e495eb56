import type { LookupFunction } from "node:net";
import type { SecureVersion } from "node:tls";

/**
 * TLS settings passed through to `node:tls` for implicit TLS and STARTTLS.
 *
 * @since 0.1.0
 */
export interface NodeTlsOptions {
  /** Trusted CA certificates (PEM); replaces Node's bundled roots when given. */
  ca?: string | Uint8Array | (string | Uint8Array)[];
  /** Client certificate chain (PEM), for servers that ask for one. */
  cert?: string | Uint8Array | (string | Uint8Array)[];
  /** Private key of the client certificate (PEM). */
  key?: string | Uint8Array | (string | Uint8Array)[];
  /** A PKCS#12 bundle holding the client key and certificate. */
  pfx?: string | Uint8Array | (string | Uint8Array)[];
  /** Passphrase of `key` or `pfx`. */
  passphrase?: string;
  /** Verify the server's certificate and host name. Default `true`; turn it off only for tests. */
  rejectUnauthorized?: boolean;
  /** The name sent as SNI and checked against the certificate; default: the host (no SNI for an IP). */
  servername?: string;
  /** Lowest TLS version accepted. Default `"TLSv1.2"`. */
  minVersion?: SecureVersion;
}

/**
 * Options of {@link nodeConnector}.
 *
 * @since 0.1.0
 */
export interface NodeTransportOptions {
  /** TLS settings for implicit TLS and STARTTLS. */
  tls?: NodeTlsOptions;
  /** Force IPv4 (`4`) or IPv6 (`6`) when the host is a name. Default: either. */
  family?: 0 | 4 | 6;
  /** The local address to connect from. */
  localAddress?: string;
  /** A custom DNS lookup (same contract as `dns.lookup`), e.g. to pin or mock resolution. */
  lookup?: LookupFunction;
  /** Connect timeout in ms when the target gives none (TCP connect plus implicit TLS handshake). Default 30000. */
  connectTimeout?: number;
  /** Deadline of the STARTTLS handshake in ms. Default: the connect timeout. */
  tlsHandshakeTimeout?: number;
  /** How long `close()` waits for the server to close after our FIN before destroying. Default 2000. */
  closeTimeout?: number;
  /** Bytes buffered from the server before the socket is paused until `read()` catches up. Default 65536. */
  maxReadBuffer?: number;
}

/** Defaults of {@link NodeTransportOptions}. @since 0.1.0 */
export const NODE_TRANSPORT_DEFAULTS = {
  /** Milliseconds to connect, the implicit TLS handshake included. */
  connectTimeout: 30_000,
  /** Milliseconds a graceful close may take. */
  closeTimeout: 2_000,
  /** Bytes read ahead of the caller at most. */
  maxReadBuffer: 65_536,
  /** The lowest TLS version accepted. */
  minVersion: "TLSv1.2",
} as const;
