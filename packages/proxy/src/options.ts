import type { Connector } from "@smtp/core/transport-kit";

/**
 * Options of {@link socksProxy}: a SOCKS5 proxy (RFC 1928), with username/password
 * authentication (RFC 1929) when `user` is given.
 *
 * @since 0.1.0
 */
export interface SocksProxyOptions {
  /** The proxy's host name or IP address. */
  host: string;
  /** The proxy's port. Default 1080. */
  port?: number;
  /** User name for RFC 1929 authentication (1 to 255 bytes of UTF-8). */
  user?: string;
  /** Password for RFC 1929 authentication (1 to 255 bytes of UTF-8); needs `user`. */
  pass?: string;
}

/**
 * Options of {@link httpProxy}: an HTTP proxy that opens tunnels with `CONNECT` (RFC 9110
 * §9.3.6), with Basic authentication (RFC 7617) when the URL carries a user.
 *
 * @since 0.1.0
 */
export interface HttpProxyOptions {
  /**
   * `http://[user[:password]@]host[:port]`; user and password percent-encoded. The port
   * defaults to 80. Only `http:`: the connection to the proxy itself is not encrypted
   * (mail to a server with TLS stays encrypted end to end inside the tunnel).
   */
  url: string;
}

/**
 * A proxy, as {@link socksProxy}, {@link httpProxy} and {@link proxyFromUrl} make it:
 * call it with a connector to get one whose connections all go through the proxy. It
 * holds the credentials out of sight: its fields never show the password.
 *
 * ```ts
 * const connect = socksProxy({ host: "127.0.0.1", port: 1080 })(nodeConnector());
 * ```
 *
 * @since 0.1.0
 */
export interface ProxyWrapper {
  /** Wraps `connector`: it then opens every connection through the proxy. */
  (connector: Connector): Connector;
  /** The proxy's protocol. */
  readonly protocol: "socks5" | "http";
  /** The proxy's host. */
  readonly host: string;
  /** The proxy's port. */
  readonly port: number;
  /** The proxy as a URL without user or password, for logs: `socks5://127.0.0.1:1080`. */
  readonly url: string;
}
