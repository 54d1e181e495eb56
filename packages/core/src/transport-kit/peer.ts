/** The server a transport is connected to, named in its error messages. @since 0.1.0 */
export interface TransportPeer {
  /** The host name or IP address the connection was opened to. */
  readonly host: string;
  /** The TCP port. */
  readonly port: number;
}

/**
 * `host:port`, with an IPv6 address in brackets (`[::1]:25`).
 *
 * @since 0.1.0
 */
export function peerName(peer: TransportPeer): string {
  return peer.host.includes(":") ? `[${peer.host}]:${peer.port}` : `${peer.host}:${peer.port}`;
}
