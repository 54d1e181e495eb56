import { httpProxy } from "./http-proxy.ts";
import type { ProxyWrapper } from "./options.ts";
import { checkProxyUrl } from "./parse-proxy-url.ts";
import { socksProxy } from "./socks-proxy.ts";

export { checkProxyUrl, type ParsedProxyUrl, parseProxyUrl } from "./parse-proxy-url.ts";

/**
 * A proxy from its URL, the short form nodemailer users know:
 * `socks5://user:pass@host:1080` (also `socks5h://`, `socks://`; the proxy resolves the
 * mail server's name either way) for {@link socksProxy}, or `http://user:pass@host:3128`
 * for {@link httpProxy}. User and password are percent-decoded.
 *
 * @example
 * ```ts
 * import { proxyFromUrl } from "@smtp/proxy";
 * import { nodeConnector } from "@smtp/transport-node";
 *
 * const connect = proxyFromUrl("socks5://127.0.0.1:1080")(nodeConnector());
 * ```
 *
 * @throws SmtpError of kind `invalid-input`, which never quotes the URL
 * @since 0.1.0
 */
export function proxyFromUrl(url: string): ProxyWrapper {
  const parsed = checkProxyUrl(url);
  if (parsed.protocol === "http") return httpProxy({ url });
  return socksProxy({
    host: parsed.host,
    port: parsed.port,
    ...(parsed.user === undefined ? {} : { user: parsed.user, pass: parsed.pass as string }),
  });
}
