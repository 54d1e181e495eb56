import { isValidEhloName } from "@smtp/core/base";

/**
 * A host name good enough to introduce ourselves with: a valid EHLO domain by core's rule
 * (fully qualified; a bare "localhost" or "mybox" is not). @since 0.1.0
 */
export function isFullyQualifiedDomain(name: string): boolean {
  return !name.startsWith("[") && isValidEhloName(name);
}

/**
 * The address literal for an IP address: `[192.0.2.1]` or `[IPv6:2001:db8::1]`.
 * IPv4-mapped IPv6 addresses (`::ffff:192.0.2.1`) become IPv4 literals.
 *
 * @since 0.1.0
 */
export function addressLiteral(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped?.[1]) return `[${mapped[1]}]`;
  // Strip a zone index (fe80::1%eth0): it is not part of an address literal.
  const bare = ip.replace(/%.*$/, "");
  return bare.includes(":") ? `[IPv6:${bare}]` : `[${bare}]`;
}

/**
 * Picks the EHLO name: the machine's host name when it is fully qualified, else the
 * address literal of the connection's local address, else `[127.0.0.1]` as the last
 * resort (never an empty or invalid name).
 *
 * @since 0.1.0
 */
export function chooseEhloName(
  hostname: string | undefined,
  localAddress: string | undefined,
): string {
  if (hostname && isFullyQualifiedDomain(hostname)) return hostname.replace(/\.$/, "");
  if (localAddress) {
    const literal = addressLiteral(localAddress);
    if (isValidEhloName(literal)) return literal;
  }
  return "[127.0.0.1]";
}
