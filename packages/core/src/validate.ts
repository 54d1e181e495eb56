import { utf8 as utf8Bytes } from "./bytes.ts";
import { invalidInput } from "./errors.ts";

// Messages never quote the offending value: it may be a secret.
export { invalidInput };

/**
 * Throws when `value` contains CR, LF or NUL: one command must stay one line (R2).
 *
 * @param value - the argument to check.
 * @param what - names the argument in the error message.
 * @since 0.1.0
 */
export function assertNoLineBreak(value: string, what: string): void {
  if (/[\r\n\0]/.test(value)) {
    throw invalidInput(`${what} contains CR, LF or NUL`, "line-break");
  }
}

const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function isIpv6(text: string): boolean {
  let body = text;
  let groups = 8;
  const lastColon = body.lastIndexOf(":");
  if (body.includes(".")) {
    if (!IPV4.test(body.slice(lastColon + 1))) return false;
    body = body.slice(0, lastColon + 1) + "0:0";
  }
  const halves = body.split("::");
  if (halves.length > 2) return false;
  const count = (half: string): number | null => {
    if (half === "") return 0;
    const parts = half.split(":");
    return parts.every((p) => /^[0-9A-Fa-f]{1,4}$/.test(p)) ? parts.length : null;
  };
  const left = count(halves[0]!);
  if (left === null) return false;
  if (halves.length === 1) return left === groups;
  const right = count(halves[1]!);
  groups -= 1; // "::" stands for at least one group
  return right !== null && left + right <= groups;
}

/**
 * Whether `name` may follow EHLO/HELO/LHLO: a fully qualified domain (at least two dot
 * separated labels of letters, digits and hyphens, at most 253 octets without a final dot;
 * RFC 5321 §4.1.1.1 asks for the primary host name) or an address literal (`[192.0.2.1]`,
 * `[IPv6:2001:db8::1]`, §4.1.3). The one rule of the project: the client checks its `name`
 * option and picks the machine's host name with it.
 *
 * @since 0.1.0
 */
export function isValidEhloName(name: string): boolean {
  if (name.startsWith("[") && name.endsWith("]")) {
    const inner = name.slice(1, -1);
    if (/^IPv6:/i.test(inner)) return isIpv6(inner.slice(5));
    return IPV4.test(inner);
  }
  const domain = name.endsWith(".") ? name.slice(0, -1) : name;
  if (domain.length === 0 || domain.length > 253) return false;
  const labels = domain.split(".");
  return labels.length >= 2 && labels.every((label) => LABEL.test(label));
}

/**
 * Checks an envelope address (without angle brackets): no CR/LF/NUL (R2), no leading `-`
 * (R3), no `<`, `>` or whitespace outside a quoted local part, at most 998 octets, and
 * ASCII only unless `utf8` (SMTPUTF8) is allowed. `""` is the null reverse-path, allowed
 * only when `nullAllowed`.
 *
 * @throws {@link SmtpError} of kind `invalid-input`.
 * @since 0.1.0
 */
export function assertValidAddress(
  address: string,
  what: string,
  utf8: boolean,
  nullAllowed: boolean,
): void {
  if (isPlainAddress(address)) {
    // Printable ASCII without quotes or angle brackets: only these two checks can fail.
    if (address.startsWith("-")) throw invalidInput(`${what} starts with "-"`, "bad-address");
    if (address.length > 998) throw invalidInput(`${what} is too long`, "bad-address");
    return;
  }
  assertNoLineBreak(address, what);
  if (address === "") {
    if (nullAllowed) return;
    throw invalidInput(`${what} is empty`, "bad-address");
  }
  if (address.startsWith("-")) throw invalidInput(`${what} starts with "-"`, "bad-address");
  // Octets on the wire: a non-ASCII (SMTPUTF8) address is longer in UTF-8 than in UTF-16.
  if (utf8Bytes(address).length > 998) throw invalidInput(`${what} is too long`, "bad-address");
  if (/[<>]/.test(address)) throw invalidInput(`${what} contains "<" or ">"`, "bad-address");
  const unquoted = address.replace(/"(?:[^"\\]|\\.)*"/g, "");
  if (/\s/.test(unquoted)) throw invalidInput(`${what} contains whitespace`, "bad-address");
  if (/[\x00-\x1f\x7f]/.test(address))
    throw invalidInput(`${what} contains a control character`, "bad-address");
  if (!utf8 && /[^\x00-\x7f]/.test(address)) {
    throw invalidInput(`${what} is not ASCII: set smtpUtf8`, "needs-smtputf8");
  }
}

/** Non-empty, printable ASCII (no space), no `"`, `<` or `>`: the usual address. */
function isPlainAddress(address: string): boolean {
  if (address.length === 0) return false;
  for (let i = 0; i < address.length; i++) {
    const c = address.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || c === 0x22 || c === 0x3c || c === 0x3e) return false;
  }
  return true;
}
