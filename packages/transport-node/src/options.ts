import type { LookupFunction } from "node:net";
import type { TlsOptions } from "@smtp/core/transport-kit";

/**
 * TLS settings for implicit TLS and STARTTLS, mapped to `node:tls` (`tls.connect`): the
 * kit's {@link TlsOptions}, as `@smtp/client` passes its `tls` option through. `ca`
 * replaces Node's bundled roots when given.
 *
 * @since 0.1.0
 */
export type NodeTlsOptions = TlsOptions;

/**
 * Options of {@link nodeConnector}. There is no deadline here: connecting ends when the
 * caller's `AbortSignal` fires (the client's connect timeout), and the session's driver
 * bounds the STARTTLS handshake and `close()`.
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
  /** Bytes buffered from the server before the socket is paused until `read()` catches up. Default 65536. */
  maxReadBuffer?: number;
  /**
   * Resume the TLS session of an earlier connection made by the same connector to the same
   * server, port and certificate name (a TLS 1.3 ticket, or a TLS 1.2 session ticket or id):
   * a recycled or extra connection of a pool then skips the full handshake. The server's
   * certificate is still verified against the name. Only {@link nodeConnector} keeps
   * sessions (one cache per connector); `connectNode` alone has none. Default `true`.
   *
   * @since 0.2.0
   */
  resumeSessions?: boolean;
}

/** Defaults of {@link NodeTransportOptions}. @since 0.1.0 */
export const NODE_TRANSPORT_DEFAULTS = {
  /** Bytes read ahead of the caller at most. */
  maxReadBuffer: 65_536,
  /** The lowest TLS version accepted. */
  minVersion: "TLSv1.2",
} as const;
