/**
 * `@smtp/proxy`: SOCKS5 (RFC 1928/1929) and HTTP CONNECT proxies for `@smtp`. A proxy wraps
 * a connector (`@smtp/transport-node`, `@smtp/transport-deno`, `@smtp/transport-cloudflare`
 * or your own): the connection goes to the proxy, the proxy opens a tunnel to the mail
 * server, and TLS with the mail server runs inside it, verified against the mail server's
 * name. It does no I/O of its own and loads no runtime module, so it runs wherever the
 * connector it wraps runs. `@smtp/client` takes one as its `proxy` option, or a URL.
 *
 * @module
 */

export { httpProxy } from "./http-proxy.ts";
export type { HttpProxyOptions, ProxyWrapper, SocksProxyOptions } from "./options.ts";
export { checkProxyUrl, type ParsedProxyUrl } from "./parse-proxy-url.ts";
export type { ProxyLabel } from "./proxy-errors.ts";
export { proxyFromUrl } from "./proxy-url.ts";
export { socksProxy } from "./socks-proxy.ts";
export { TunnelTransport, type TunnelTransportInit } from "./tunnel-transport.ts";
