import { invalidInput } from "@smtp/core/base";
import { proxyWrapper } from "./endpoint.ts";
import {
  authority,
  basicCredentials,
  connectRequest,
  MAX_RESPONSE_HEAD,
  parseStatus,
} from "./http-connect.ts";
import type { HttpProxyOptions, ProxyWrapper } from "./options.ts";
import { parseProxyUrl } from "./parse-proxy-url.ts";
import { describeProxy, type ProxyLabel, proxyError } from "./proxy-errors.ts";
import { type Handshake, tunnelConnector } from "./tunnel.ts";

const END_OF_HEAD = new TextEncoder().encode("\r\n\r\n");

/**
 * An HTTP proxy that opens tunnels with `CONNECT` (RFC 9110 §9.3.6), with Basic
 * authentication (RFC 7617) when its URL carries a user. It wraps a connector: each
 * connection then goes to the proxy, which is asked for a tunnel to the mail server by
 * name. TLS with the mail server, implicit or by STARTTLS, runs inside the tunnel and is
 * verified against the mail server's name, never the proxy's.
 *
 * Failures are kind `connection`: detail `proxy-unreachable` (the proxy cannot be
 * reached), `proxy-auth` (status 407, or 401 as some proxies answer) or `proxy-refused` (any other status but 2xx, with
 * the proxy's status line). No error or field ever shows the password.
 *
 * @example
 * ```ts
 * import { createClient } from "@smtp/client";
 * import { httpProxy } from "@smtp/proxy";
 *
 * const client = createClient({
 *   host: "smtp.example.com",
 *   proxy: httpProxy({ url: "http://me:secret@proxy.internal:3128" }),
 * });
 * ```
 *
 * @throws SmtpError of kind `invalid-input` for a bad URL
 * @since 0.1.0
 */
export function httpProxy(options: HttpProxyOptions): ProxyWrapper {
  if (typeof options !== "object" || options === null || typeof options.url !== "string") {
    throw invalidInput('httpProxy needs { url: "http://host:port" }');
  }
  const parsed = parseProxyUrl(options.url);
  if (parsed.protocol !== "http") {
    throw invalidInput("httpProxy's url must start with http://");
  }
  const credentials =
    parsed.user === undefined ? undefined : basicCredentials(parsed.user, parsed.pass ?? "");
  const proxy: ProxyLabel = { kind: "HTTP", host: parsed.host, port: parsed.port };
  const handshake = connectHandshake(proxy, credentials);
  return proxyWrapper("http", parsed.host, parsed.port, (inner) =>
    tunnelConnector(inner, proxy, handshake),
  );
}

function connectHandshake(proxy: ProxyLabel, credentials: string | undefined): Handshake {
  const name = describeProxy(proxy);
  return (target) => {
    const to = authority(target.host, target.port);
    return async (transport, reader) => {
      await transport.write(connectRequest(to, credentials));
      const head = await reader.through(END_OF_HEAD, MAX_RESPONSE_HEAD);
      const status = parseStatus(head);
      if (status === undefined) {
        throw proxyError("proxy-refused", `${name} did not answer CONNECT in HTTP/1.x`, false);
      }
      if (status.code >= 200 && status.code < 300) return;
      const said = `${status.code}${status.reason ? ` ${status.reason}` : ""}`;
      // 407 is the standard answer; some proxies (tinyproxy) answer wrong credentials with 401.
      if (status.code === 407 || status.code === 401) {
        throw proxyError(
          "proxy-auth",
          credentials
            ? `${name} refused the user name and password (${said})`
            : `${name} requires authentication (${said}): give the user and password in its URL`,
          false,
        );
      }
      throw proxyError(
        "proxy-refused",
        `${name} would not open a tunnel to ${to} (${said})`,
        status.code >= 500,
      );
    };
  };
}
