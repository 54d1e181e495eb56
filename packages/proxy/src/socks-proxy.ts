import { invalidInput } from "@smtp/core/base";
import { checkEndpoint, proxyWrapper } from "./endpoint.ts";
import type { ProxyWrapper, SocksProxyOptions } from "./options.ts";
import { describeProxy, type ProxyLabel, proxyError } from "./proxy-errors.ts";
import {
  connectRequest,
  credentialBytes,
  greeting,
  METHOD_NONE,
  METHOD_PASSWORD,
  METHOD_REFUSED,
  passwordRequest,
  replyRemainder,
  SOCKS_REPLIES,
} from "./socks5.ts";
import { type Handshake, tunnelConnector } from "./tunnel.ts";

/**
 * A SOCKS5 proxy (RFC 1928), with username/password authentication (RFC 1929) when `user`
 * and `pass` are given. It wraps a connector: each connection then goes to the proxy,
 * which is asked to connect to the mail server by name (the proxy resolves it; an IP
 * address is sent as such). TLS with the mail server, implicit or by STARTTLS, runs inside
 * the tunnel and is verified against the mail server's name, never the proxy's.
 *
 * Failures are kind `connection`: detail `proxy-unreachable` (the proxy cannot be
 * reached), `proxy-auth` (credentials refused, or required and not given) or
 * `proxy-refused` (the proxy would not connect, with its reason). No error or field ever
 * shows the password.
 *
 * @example
 * ```ts
 * import { createClient } from "@smtp/client";
 * import { socksProxy } from "@smtp/proxy";
 *
 * const client = createClient({
 *   host: "smtp.example.com",
 *   proxy: socksProxy({ host: "127.0.0.1", port: 1080, user: "me", pass: "secret" }),
 * });
 * // or, around a connector of your own: socksProxy({ host, port })(nodeConnector())
 * ```
 *
 * @throws SmtpError of kind `invalid-input` for a bad host, port or credential
 * @since 0.1.0
 */
export function socksProxy(options: SocksProxyOptions): ProxyWrapper {
  if (typeof options !== "object" || options === null) {
    throw invalidInput("socksProxy needs { host, port }");
  }
  const port = options.port ?? 1080;
  checkEndpoint(options.host, port, "the SOCKS5 proxy's");
  if ((options.user === undefined) !== (options.pass === undefined)) {
    throw invalidInput("the SOCKS5 proxy's user and pass go together: give both or neither");
  }
  const credentials =
    options.user === undefined
      ? undefined
      : {
          user: credentialBytes(options.user, "user"),
          pass: credentialBytes(options.pass as string, "pass"),
        };
  const proxy: ProxyLabel = { kind: "SOCKS5", host: options.host, port };
  const handshake = socksHandshake(proxy, credentials);
  return proxyWrapper("socks5", options.host, port, (inner) =>
    tunnelConnector(inner, proxy, handshake),
  );
}

function socksHandshake(
  proxy: ProxyLabel,
  credentials: { user: Uint8Array; pass: Uint8Array } | undefined,
): Handshake {
  const name = describeProxy(proxy);
  const garbled = (what: string) =>
    proxyError("proxy-refused", `${name} answered ${what} with something other than SOCKS5`, false);
  return (target) => {
    const request = connectRequest(target.host, target.port);
    return async (transport, reader) => {
      await transport.write(greeting(credentials !== undefined));
      const choice = await reader.exactly(2);
      if (choice[0] !== 5) throw garbled("the greeting");
      const method = choice[1];
      if (method === METHOD_PASSWORD && credentials) {
        await transport.write(passwordRequest(credentials.user, credentials.pass));
        const status = await reader.exactly(2);
        if (status[0] !== 1) throw garbled("the user name and password");
        if (status[1] !== 0) {
          throw proxyError("proxy-auth", `${name} refused the user name and password`, false);
        }
      } else if (method === METHOD_REFUSED) {
        throw proxyError(
          "proxy-auth",
          credentials
            ? `${name} accepts neither no authentication nor a user name and password`
            : `${name} requires authentication: give its user and pass`,
          false,
        );
      } else if (method !== METHOD_NONE) {
        throw garbled("the greeting");
      }
      await transport.write(request);
      const head = await reader.exactly(5);
      const remainder = replyRemainder(head);
      if (head[0] !== 5 || head[2] !== 0 || remainder === undefined) throw garbled("CONNECT");
      await reader.exactly(remainder);
      const code = head[1] as number;
      if (code !== 0) {
        const [meaning, retryable] = SOCKS_REPLIES[code] ?? [`reply code ${code}`, false];
        throw proxyError(
          "proxy-refused",
          `${name} could not connect to ${target.host}:${target.port}: ${meaning}`,
          retryable,
        );
      }
    };
  };
}
