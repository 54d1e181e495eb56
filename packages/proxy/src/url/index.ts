/**
 * `@smtp/proxy/url`: checks a proxy URL without loading the proxies themselves (the
 * SOCKS5 and HTTP CONNECT handshakes, the tunnel transport). `@smtp/client` checks its
 * `proxy` option with it when the client is created, and imports `@smtp/proxy` only for
 * its first connection.
 *
 * @module
 */

export { checkProxyUrl, type ParsedProxyUrl } from "../parse-proxy-url.ts";
