import type { TlsOptions } from "@smtp/core/transport-kit";
import type { CloudflareConnect } from "./sockets-api.ts";

/**
 * Options of {@link cloudflareConnector}. There is no deadline here: connecting ends when
 * the caller's `AbortSignal` fires (the client's connect timeout), and the session's
 * driver bounds the STARTTLS handshake.
 *
 * @since 0.1.0
 */
export interface CloudflareConnectorOptions {
  /**
   * TLS settings, as `@smtp/client` passes its `tls` option through. Workers verify every
   * certificate against the public roots and the server's name, with no per-connection
   * trust settings: only `servername` (the name to verify) and `minVersion: "TLSv1.2"` are
   * taken; `ca`, `cert`, `key`, `pfx`, `passphrase`, `rejectUnauthorized: false` and other
   * versions are refused with kind `invalid-input` (see {@link cloudflareTlsSettings}).
   */
  tls?: TlsOptions;
  /**
   * Opens the socket instead of `connect` from `cloudflare:sockets`: e.g. the `connect` of a
   * service binding (`(address, options) => env.EGRESS.connect(address, options)`), or a
   * stand-in in tests.
   */
  connect?: CloudflareConnect;
}
