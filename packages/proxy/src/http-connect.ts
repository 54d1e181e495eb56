// HTTP CONNECT (RFC 9110 §9.3.6) with Basic authentication (RFC 7617), as bytes: the
// request a client sends and the status line it reads back. No I/O here.
import { encodeBase64, invalidInput } from "@smtp/core/base";
import { parseIpv6 } from "./ip-address.ts";

const encoder = new TextEncoder();

/** The longest response head read from a proxy: past it, the proxy is not speaking HTTP. */
export const MAX_RESPONSE_HEAD = 16 * 1024;

/** `host:port`, an IPv6 address in brackets: the request target and Host of a CONNECT. */
export function authority(host: string, port: number): string {
  if (parseIpv6(host)) return `[${host}]:${port}`;
  // Anything that could end the request line or a header is refused, not escaped.
  if (!/^[\x21-\x7e]{1,255}$/.test(host) || /[[\]/@?#]/.test(host)) {
    throw invalidInput(
      "the host to reach through an HTTP proxy must be an IP address or an ASCII host name (an internationalized name in its xn-- form)",
    );
  }
  return `${host}:${port}`;
}

/** The credentials of a `Proxy-Authorization: Basic` header: UTF-8 `user:pass` in base64. */
export function basicCredentials(user: string, pass: string): string {
  // RFC 7617: the user-id cannot hold a colon, and neither may carry control characters.
  if (user.includes(":")) throw invalidInput("the HTTP proxy's user name must not contain ':'");
  if (/[\0-\x1f\x7f]/.test(user) || /[\0-\x1f\x7f]/.test(pass)) {
    throw invalidInput(
      "the HTTP proxy's user name and password must not contain control characters",
    );
  }
  return encodeBase64(encoder.encode(`${user}:${pass}`));
}

/** The CONNECT request, with `Proxy-Authorization` when `credentials` (base64) are given. */
export function connectRequest(target: string, credentials: string | undefined): Uint8Array {
  const lines = [`CONNECT ${target} HTTP/1.1`, `Host: ${target}`];
  if (credentials !== undefined) lines.push(`Proxy-Authorization: Basic ${credentials}`);
  return encoder.encode(`${lines.join("\r\n")}\r\n\r\n`);
}

/** The status line of a proxy's answer. */
export interface ConnectStatus {
  /** The three-digit status code. */
  code: number;
  /** The reason phrase, printable ASCII only, at most 120 characters. */
  reason: string;
}

/** Reads the status line from a response head (bytes up to `\r\n\r\n`); `undefined` if it is not HTTP/1.x. */
export function parseStatus(head: Uint8Array): ConnectStatus | undefined {
  let line = "";
  for (let i = 0; i < head.byteLength && head[i] !== 0x0d && head[i] !== 0x0a; i++) {
    line += String.fromCharCode(head[i] as number);
  }
  const match = /^HTTP\/1\.[01] ([1-5]\d\d)(?: (.*))?$/.exec(line);
  if (!match) return undefined;
  const reason = (match[2] ?? "").replace(/[^\x20-\x7e]/g, "?").slice(0, 120);
  return { code: Number(match[1]), reason };
}
