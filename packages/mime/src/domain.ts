import { MimeError } from "./errors.ts";
import { isAscii } from "./text.ts";

/**
 * A validated domain in both forms.
 *
 * @since 0.1.0
 */
export interface Domain {
  /** As given (U-labels stay Unicode): what SMTPUTF8 mode writes. */
  unicode: string;
  /** Punycode (A-labels) through the standard URL API: what every other mode writes. */
  ascii: string;
}

function isLabelChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x2d ||
    c === 0x5f ||
    c > 0x7f
  );
}

const LITERAL = /^\[(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}|IPv6:[0-9A-Fa-f:.]{2,45})\]$/;

/**
 * Validates a domain (dot-separated labels, or an address literal) and computes its
 * punycode form.
 *
 * @throws MimeError when the domain is invalid.
 * @since 0.1.0
 */
export function normalizeDomain(field: string, domain: string): Domain {
  if (domain.startsWith("[")) {
    // Bounded length before the (non-backtracking) pattern runs.
    if (domain.length > 64 || !LITERAL.test(domain)) {
      throw new MimeError(field, `invalid address literal ${JSON.stringify(domain)}`);
    }
    return { unicode: domain, ascii: domain };
  }
  if (domain.length === 0 || domain.length > 253) {
    throw new MimeError(field, "domain must be 1 to 253 characters");
  }
  let labelStart = 0;
  for (let i = 0; i <= domain.length; i++) {
    const c = i < domain.length ? domain.charCodeAt(i) : 0x2e;
    if (c === 0x2e) {
      if (i === labelStart) throw new MimeError(field, "empty label in the domain");
      labelStart = i + 1;
    } else if (!isLabelChar(c)) {
      throw new MimeError(field, `invalid character in the domain ${JSON.stringify(domain)}`);
    }
  }
  let ascii = domain;
  if (!isAscii(domain)) {
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
  }
  for (const label of ascii.split(".")) {
    if (label.length > 63) throw new MimeError(field, "domain label longer than 63 octets");
  }
  return { unicode: domain, ascii };
}
