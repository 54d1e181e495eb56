import { MimeError } from "./errors.ts";
import { decodePunycode } from "./punycode.ts";
import { isAscii, isAsciiAlphanumeric } from "./text.ts";

/**
 * A validated domain in both forms.
 *
 * @since 0.1.0
 */
export interface Domain {
  /**
   * What SMTPUTF8 mode writes: the domain as given when it is ASCII, otherwise the
   * normalised U-labels of {@link Domain.ascii} (so both modes name the same host).
   */
  unicode: string;
  /** Punycode (A-labels) through the standard URL API: what every other mode writes. */
  ascii: string;
}

function isLabelChar(c: number): boolean {
  return isAsciiAlphanumeric(c) || c === 0x2d || c === 0x5f || c > 0x7f;
}

const IPV4 =
  /^(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$/;
const HEX16 = /^[0-9A-Fa-f]{1,4}$/;

/** RFC 5321 §4.1.3 IPv6-addr: full, compressed (one `::`), optionally ending in IPv4. */
function isIPv6(text: string): boolean {
  let groups = text;
  let tail = 0;
  const lastColon = text.lastIndexOf(":");
  if (text.slice(lastColon + 1).includes(".")) {
    if (!IPV4.test(text.slice(lastColon + 1))) return false;
    groups = `${text.slice(0, lastColon + 1)}0`;
    tail = 1; // the IPv4 part counts as two groups; "0" stands for one, add one more
  }
  const halves = groups.split("::");
  if (halves.length > 2) return false;
  const count = (half: string): number => {
    if (half === "") return 0;
    const parts = half.split(":");
    return parts.every((p) => HEX16.test(p)) ? parts.length : -1;
  };
  const counts = halves.map(count);
  if (counts.some((c) => c < 0)) return false;
  const total = counts.reduce((a, b) => a + b, 0) + tail;
  // `::` for a single group, as RFC 4291 and Node's isIPv6 allow (RFC 5321's grammar asks
  // for two or more): at most 7 groups written beside it. Core's envelope check agrees.
  return halves.length === 2 ? total <= 7 : total === 8;
}

function checkLiteral(field: string, domain: string): void {
  // Bounded length before any pattern runs.
  const ok =
    domain.length <= 64 &&
    domain.endsWith("]") &&
    (IPV4.test(domain.slice(1, -1)) ||
      (domain.slice(1, 6).toLowerCase() === "ipv6:" && isIPv6(domain.slice(6, -1))));
  if (!ok) throw new MimeError(field, `invalid address literal ${JSON.stringify(domain)}`);
}

/** RFC 5321 labels after the URL mapping: letters, digits, inner hyphens (and `_`, seen in the wild). */
function checkAsciiLabels(field: string, ascii: string): void {
  const labels = ascii.split(".");
  for (const label of labels) {
    if (label.length === 0) throw new MimeError(field, "empty label in the domain");
    if (label.length > 63) throw new MimeError(field, "domain label longer than 63 octets");
    for (let i = 0; i < label.length; i++) {
      const c = label.charCodeAt(i);
      if (c > 0x7f || !isLabelChar(c)) {
        throw new MimeError(field, `invalid character in the domain ${JSON.stringify(ascii)}`);
      }
    }
    if (label.startsWith("-") || label.endsWith("-")) {
      throw new MimeError(field, `domain label starts or ends with "-": ${JSON.stringify(label)}`);
    }
  }
  // A bare IPv4 (or any numeric top label) is not a domain: literals are written [1.2.3.4].
  if (/^[0-9]+$/.test(labels[labels.length - 1] ?? "")) {
    throw new MimeError(
      field,
      `numeric top-level label in ${JSON.stringify(ascii)} (an IP address must be a [literal])`,
    );
  }
}

/** The U-label form of an A-label domain, or undefined when a label is not valid Punycode. */
function toUnicode(ascii: string): string | undefined {
  const labels: string[] = [];
  for (const label of ascii.split(".")) {
    if (label.slice(0, 4).toLowerCase() !== "xn--") {
      labels.push(label);
      continue;
    }
    const decoded = decodePunycode(label.slice(4));
    if (decoded === undefined) return undefined;
    labels.push(decoded);
  }
  return labels.join(".");
}

/**
 * Validates a domain (dot-separated labels, or an address literal) and computes its
 * punycode form.
 *
 * @throws MimeError when the domain is invalid.
 * @since 0.1.0
 */
export function normalizeDomain(field: string, domain: string): Domain {
  if (domain.startsWith("[")) {
    checkLiteral(field, domain);
    return { unicode: domain, ascii: domain };
  }
  if (domain.length === 0 || domain.length > 253) {
    throw new MimeError(field, "domain must be 1 to 253 characters");
  }
  for (let i = 0; i < domain.length; i++) {
    const c = domain.charCodeAt(i);
    if (c !== 0x2e && !isLabelChar(c)) {
      throw new MimeError(field, `invalid character in the domain ${JSON.stringify(domain)}`);
    }
  }
  if (isAscii(domain)) {
    checkAsciiLabels(field, domain);
    return { unicode: domain, ascii: domain };
  }
  let ascii: string;
  try {
    ascii = new URL(`http://${domain}/`).hostname;
  } catch (cause) {
    throw new MimeError(field, `invalid internationalised domain ${JSON.stringify(domain)}`, {
      cause,
    });
  }
  if (!isAscii(ascii) || ascii.length > 253 || ascii.length === 0) {
    throw new MimeError(field, `invalid internationalised domain ${JSON.stringify(domain)}`);
  }
  // The URL mapping can turn look-alikes into dots, digits or hyphens: check what it made.
  checkAsciiLabels(field, ascii);
  const unicode = toUnicode(ascii);
  if (unicode === undefined) {
    throw new MimeError(field, `invalid internationalised domain ${JSON.stringify(domain)}`);
  }
  return { unicode, ascii };
}
