import type { TlsOptions } from "@smtp/core/transport-kit";
import type { DenoApi } from "./deno-api.ts";

/**
 * Options of {@link denoConnector}. Certificates are always verified. There is no deadline
 * here: connecting ends when the caller's `AbortSignal` fires (the client's connect
 * timeout), and the session's driver bounds the STARTTLS handshake.
 *
 * @since 0.1.0
 */
export interface DenoConnectorOptions {
  /**
   * TLS settings, as `@smtp/client` passes its `tls` option through, mapped to Deno's (see
   * {@link denoTlsSettings}): `ca` adds to Deno's default roots rather than replacing them;
   * a client certificate (`cert` and `key`, PEM) only with implicit TLS and no other
   * `servername`; what Deno cannot honour is refused with kind `invalid-input`.
   */
  tls?: TlsOptions;
  /** Size of each read from the connection in bytes. Default 16384. */
  readSize?: number;
  /** The Deno API to use instead of the global `Deno` (for tests or wrappers). */
  deno?: DenoApi;
}

/** Defaults of {@link DenoConnectorOptions}. @since 0.1.0 */
export const DENO_CONNECTOR_DEFAULTS: {
  /** Bytes per read buffer. */
  readonly readSize: number;
} = {
  readSize: 16_384,
};
