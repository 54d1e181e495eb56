/**
 * The TLS settings every transport takes in its `tls` option, as `@smtp/client` passes
 * them through. Each transport maps them to its runtime's own and refuses, with kind
 * `invalid-input`, what its runtime cannot honour rather than ignoring it.
 *
 * @since 0.1.0
 */
export interface TlsOptions {
  /** Trusted CA certificates (PEM). */
  ca?: string | Uint8Array | (string | Uint8Array)[];
  /** Client certificate chain (PEM), with `key`. */
  cert?: string | Uint8Array | (string | Uint8Array)[];
  /** Private key of the client certificate (PEM). */
  key?: string | Uint8Array | (string | Uint8Array)[];
  /** A PKCS#12 bundle holding the client key and certificate. */
  pfx?: string | Uint8Array | (string | Uint8Array)[];
  /** Passphrase of `key` or `pfx`. */
  passphrase?: string;
  /** Verify the server's certificate and host name. Default `true`. */
  rejectUnauthorized?: boolean;
  /** The name sent as SNI and checked against the certificate. Default: the host (implicit TLS) or the session's server name (STARTTLS). */
  servername?: string;
  /** Lowest TLS version accepted. Default `"TLSv1.2"`. */
  minVersion?: "TLSv1" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3";
}
