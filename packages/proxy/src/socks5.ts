// SOCKS5 (RFC 1928) and its username/password method (RFC 1929), as bytes: the requests a
// client sends and the replies it reads. No I/O here; socks-proxy.ts drives it.
import { invalidInput } from "@smtp/core/base";
import { parseIpv4, parseIpv6 } from "./ip-address.ts";

/** Authentication methods (RFC 1928 §3). */
export const METHOD_NONE = 0x00;
export const METHOD_PASSWORD = 0x02;
export const METHOD_REFUSED = 0xff;

/** Address types of a request or reply (RFC 1928 §5). */
export const ATYP_IPV4 = 0x01;
export const ATYP_DOMAIN = 0x03;
export const ATYP_IPV6 = 0x04;

/** What each reply code means (RFC 1928 §6), and whether trying again later may help. */
export const SOCKS_REPLIES: Readonly<Record<number, readonly [string, boolean]>> = {
  1: ["general SOCKS server failure", true],
  2: ["connection not allowed by ruleset", false],
  3: ["network unreachable", true],
  4: ["host unreachable", true],
  5: ["connection refused", true],
  6: ["TTL expired", true],
  7: ["command not supported", false],
  8: ["address type not supported", false],
};

const encoder = new TextEncoder();

/** The method-selection message: no authentication, and username/password when there are credentials. */
export function greeting(withPassword: boolean): Uint8Array {
  return withPassword
    ? Uint8Array.of(5, 2, METHOD_NONE, METHOD_PASSWORD)
    : Uint8Array.of(5, 1, METHOD_NONE);
}

/** A credential as RFC 1929 carries it: 1 to 255 bytes of UTF-8. */
export function credentialBytes(value: string, what: "user" | "pass"): Uint8Array {
  const bytes = encoder.encode(value);
  if (bytes.byteLength < 1 || bytes.byteLength > 255) {
    throw invalidInput(`the SOCKS5 proxy's ${what} must be 1 to 255 bytes of UTF-8`);
  }
  return bytes;
}

/** The username/password request (RFC 1929 §2). */
export function passwordRequest(user: Uint8Array, pass: Uint8Array): Uint8Array {
  const out = new Uint8Array(3 + user.byteLength + pass.byteLength);
  out[0] = 1;
  out[1] = user.byteLength;
  out.set(user, 2);
  out[2 + user.byteLength] = pass.byteLength;
  out.set(pass, 3 + user.byteLength);
  return out;
}

/**
 * The address part of a CONNECT request: an IP address as such, any other host as a
 * domain name for the proxy to resolve (so the mail server's name never needs to resolve
 * on this side, as with `socks5h://`).
 */
export function encodeAddress(host: string): Uint8Array {
  const v4 = parseIpv4(host);
  if (v4) return Uint8Array.of(ATYP_IPV4, ...v4);
  const v6 = parseIpv6(host);
  if (v6) return Uint8Array.of(ATYP_IPV6, ...v6);
  if (!/^[\x21-\x7e]{1,255}$/.test(host) || /[[\]/@]/.test(host)) {
    throw invalidInput(
      "the host to reach through a SOCKS5 proxy must be an IP address or an ASCII host name of at most 255 characters (an internationalized name in its xn-- form)",
    );
  }
  return Uint8Array.of(ATYP_DOMAIN, host.length, ...encoder.encode(host));
}

/** The CONNECT request (RFC 1928 §4) to `host:port`. */
export function connectRequest(host: string, port: number): Uint8Array {
  const address = encodeAddress(host);
  const out = new Uint8Array(3 + address.byteLength + 2);
  out.set([5, 1, 0], 0);
  out.set(address, 3);
  out[out.byteLength - 2] = port >> 8;
  out[out.byteLength - 1] = port & 0xff;
  return out;
}

/**
 * How many more bytes a reply whose first 5 bytes are `head` has (its bound address and
 * port), or `undefined` for an address type RFC 1928 does not define.
 */
export function replyRemainder(head: Uint8Array): number | undefined {
  switch (head[3]) {
    case ATYP_IPV4:
      return 4 - 1 + 2;
    case ATYP_IPV6:
      return 16 - 1 + 2;
    case ATYP_DOMAIN:
      return (head[4] as number) + 2;
    default:
      return undefined;
  }
}
