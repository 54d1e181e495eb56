import { invalidInput } from "@smtp/core/base";
import { checkEndpoint } from "./endpoint.ts";
import { basicCredentials } from "./http-connect.ts";
import { credentialBytes } from "./socks5.ts";

/** A proxy URL taken apart. @since 0.1.0 */
export interface ParsedProxyUrl {
  /** `socks5` for `socks5://`, `socks5h://` and `socks://`; `http` for `http://`. */
  protocol: "socks5" | "http";
  /** The proxy's host name or IP address (an IPv6 address without its brackets). */
  host: string;
  /** The proxy's port: the URL's, else 1080 (SOCKS5) or 80 (HTTP). */
  port: number;
  /** The user name, percent-decoded, if the URL has one. */
  user: string | undefined;
  /** The password, percent-decoded, if the URL has one. */
  pass: string | undefined;
}

const SCHEMES: Readonly<Record<string, { protocol: "socks5" | "http"; port: number }>> = {
  socks5: { protocol: "socks5", port: 1080 },
  socks5h: { protocol: "socks5", port: 1080 },
  socks: { protocol: "socks5", port: 1080 },
  http: { protocol: "http", port: 80 },
};

function decode(text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    // Never quote the text: it may be the password.
    throw invalidInput(`the proxy URL's ${what} has a bad "%" escape or is not UTF-8`);
  }
}

/**
 * Takes a proxy URL apart: `socks5://`, `socks5h://` or `socks://` (all SOCKS5, the proxy
 * resolving names), or `http://`; user and password percent-decoded. Errors never quote
 * the URL.
 */
export function parseProxyUrl(url: string): ParsedProxyUrl {
  if (typeof url !== "string" || url.length > 2048 || /[\0-\x20\x7f]/.test(url)) {
    throw invalidInput("the proxy URL must be a string of at most 2048 characters without spaces");
  }
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url);
  const name = scheme?.[1]?.toLowerCase() ?? "";
  const known = SCHEMES[name];
  if (!scheme || !known || !Object.hasOwn(SCHEMES, name)) {
    throw invalidInput(
      name === "https"
        ? "https:// proxies (TLS to the proxy itself) are not supported: use http:// (TLS to the mail server still runs inside the tunnel) or socks5://"
        : name.startsWith("socks4")
          ? "SOCKS4 proxies are not supported: use socks5://"
          : "the proxy URL must start with socks5://, socks5h:// or http://",
    );
  }
  let rest = url.slice(scheme[0].length);
  if (rest.endsWith("/")) rest = rest.slice(0, -1);
  if (/[/?#]/.test(rest))
    throw invalidInput("the proxy URL must not have a path, query or fragment");
  let user: string | undefined;
  let pass: string | undefined;
  const at = rest.lastIndexOf("@");
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const colon = userinfo.indexOf(":");
    user = decode(colon < 0 ? userinfo : userinfo.slice(0, colon), "user name");
    if (colon >= 0) pass = decode(userinfo.slice(colon + 1), "password");
    if (user === "") throw invalidInput("the proxy URL's user name is empty");
  }
  const hostPort = /^(\[[0-9A-Fa-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(rest);
  if (!hostPort) throw invalidInput("the proxy URL's host (and port) are not valid");
  const host = (hostPort[1] as string).replace(/^\[(.*)\]$/, "$1");
  const port = hostPort[2] === undefined ? known.port : Number(hostPort[2]);
  if (port < 1 || port > 65_535) throw invalidInput("the proxy URL's port must be 1 to 65535");
  return { protocol: known.protocol, host, port, user, pass };
}

/**
 * Checks a proxy URL as `proxyFromUrl` does (every error it could throw, in the same
 * order) without making the proxy: for code that takes a URL now and connects later, such
 * as `@smtp/client`'s `proxy` option, which thus loads the tunnel code only for its first
 * connection.
 *
 * @throws SmtpError of kind `invalid-input`, which never quotes the URL
 * @since 0.1.0
 */
export function checkProxyUrl(url: string): ParsedProxyUrl {
  const parsed = parseProxyUrl(url);
  const { user, pass } = parsed;
  if (parsed.protocol === "http") {
    if (user !== undefined) basicCredentials(user, pass ?? "");
    return parsed;
  }
  if (user !== undefined && pass === undefined) {
    throw invalidInput("a SOCKS5 proxy URL with a user name needs its password too");
  }
  checkEndpoint(parsed.host, parsed.port, "the SOCKS5 proxy's");
  if (user !== undefined) {
    credentialBytes(user, "user");
    credentialBytes(pass as string, "pass");
  }
  return parsed;
}
