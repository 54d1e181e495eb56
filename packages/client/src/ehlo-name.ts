const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/**
 * Whether `name` is a syntactically valid EHLO argument: a fully qualified domain
 * (at least two labels, letters, digits and hyphens) or an address literal
 * (`[192.0.2.1]`, `[IPv6:2001:db8::1]`), as RFC 5321 §4.1.3 allows.
 *
 * @since 0.1.0
 */
export function isValidEhloName(name: string): boolean {
  if (name.startsWith("[")) return isAddressLiteral(name);
  return isFullyQualifiedDomain(name);
}

/** A domain of at least two valid labels, 253 octets at most. @since 0.1.0 */
export function isFullyQualifiedDomain(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.replace(/\.$/, "").split(".");
  return labels.length >= 2 && labels.every((label) => LABEL.test(label));
}

function isAddressLiteral(name: string): boolean {
  const m = /^\[(.*)\]$/.exec(name);
  if (!m?.[1]) return false;
  const inner = m[1];
  if (/^IPv6:/i.test(inner))
    return /^[0-9A-Fa-f:.]+$/.test(inner.slice(5)) && inner.includes(":", 5);
  const parts = inner.split(".");
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
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
