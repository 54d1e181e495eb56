import {
  isAtomChar,
  type ParsedMailbox,
  parseAddressList,
  parseAddrSpec,
} from "./address-parser.ts";
import { type Domain, normalizeDomain } from "./domain.ts";
import { MimeError } from "./errors.ts";
import { assertHeaderSafe, isAscii, utf8Length } from "./text.ts";
import type { AddressInput, AddressListInput, EnvelopeAddress } from "./types.ts";

/**
 * A validated mailbox: display name, local part (the value, unquoted) and domain.
 *
 * @since 0.1.0
 */
export interface Mailbox {
  name: string;
  local: string;
  domain: Domain;
}

/**
 * Whether a local part can go unquoted (RFC 5321 Dot-string).
 *
 * @since 0.1.0
 */
export function isDotAtom(text: string): boolean {
  if (text.length === 0) return false;
  let previousDot = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) {
      if (previousDot) return false;
      previousDot = true;
    } else if (isAtomChar(c)) previousDot = false;
    else return false;
  }
  return !previousDot;
}

/**
 * The local part as written on the wire: bare when a dot-atom, otherwise a quoted string
 * with `"` and `\` escaped.
 *
 * @since 0.1.0
 */
export function formatLocal(local: string): string {
  if (isDotAtom(local)) return local;
  return `"${local.replace(/["\\]/g, "\\$&")}"`;
}

/**
 * `local@domain` with the domain in the form the mode needs.
 *
 * @since 0.1.0
 */
export function formatAddrSpec(mailbox: Mailbox, smtpUtf8: boolean): string {
  return `${formatLocal(mailbox.local)}@${smtpUtf8 ? mailbox.domain.unicode : mailbox.domain.ascii}`;
}

function finish(field: string, parsed: ParsedMailbox, smtpUtf8: boolean): Mailbox {
  const { local } = parsed;
  for (let i = 0; i < local.length; i++) {
    const c = local.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) throw new MimeError(field, "control character in the local part");
  }
  if (utf8Length(local) > 64) throw new MimeError(field, "local part longer than 64 octets");
  if (!smtpUtf8 && !isAscii(local)) {
    throw new MimeError(field, "a non-ASCII local part needs SMTPUTF8 (smtpUtf8: true)");
  }
  return { name: parsed.name, local, domain: normalizeDomain(field, parsed.domain) };
}

/**
 * One address input to mailboxes (a string may hold a list).
 *
 * @throws MimeError on anything invalid, naming `field`.
 * @since 0.1.0
 */
export function toMailboxes(field: string, input: unknown, smtpUtf8: boolean): Mailbox[] {
  if (typeof input === "string") {
    assertHeaderSafe(field, input);
    return parseAddressList(field, input).map((p) => finish(field, p, smtpUtf8));
  }
  if (typeof input === "object" && input !== null && !Array.isArray(input)) {
    const { name, address } = input as { name?: unknown; address?: unknown };
    if (typeof address !== "string") throw new MimeError(`${field}.address`, "must be a string");
    assertHeaderSafe(`${field}.address`, address);
    if (name !== undefined && typeof name !== "string") {
      throw new MimeError(`${field}.name`, "must be a string");
    }
    if (name !== undefined) assertHeaderSafe(`${field}.name`, name);
    const parsed = parseAddrSpec(`${field}.address`, address.trim());
    return [finish(`${field}.address`, { ...parsed, name: name ?? "" }, smtpUtf8)];
  }
  throw new MimeError(field, "must be an address string or { name, address }");
}

/**
 * An address list input (one address or a flat array) to mailboxes.
 *
 * @since 0.1.0
 */
export function toMailboxList(
  field: string,
  input: AddressListInput | undefined,
  smtpUtf8: boolean,
): Mailbox[] {
  if (input === undefined) return [];
  if (!Array.isArray(input)) return toMailboxes(field, input, smtpUtf8);
  const out: Mailbox[] = [];
  (input as readonly AddressInput[]).forEach((item, i) => {
    if (Array.isArray(item)) throw new MimeError(`${field}[${i}]`, "nested arrays are refused");
    out.push(...toMailboxes(`${field}[${i}]`, item, smtpUtf8));
  });
  return out;
}

/**
 * One address input that must hold exactly one mailbox.
 *
 * @since 0.1.0
 */
export function toSingleMailbox(field: string, input: unknown, smtpUtf8: boolean): Mailbox {
  const list = toMailboxes(field, input, smtpUtf8);
  if (list.length !== 1) throw new MimeError(field, `expected one address, found ${list.length}`);
  return list[0]!;
}

/**
 * The envelope form of a mailbox. Refuses local parts starting with "-" (R3).
 *
 * @since 0.1.0
 */
export function toEnvelopeAddress(
  field: string,
  mailbox: Mailbox,
  smtpUtf8: boolean,
): EnvelopeAddress {
  if (mailbox.local.startsWith("-")) {
    throw new MimeError(field, `envelope address may not start with "-"`);
  }
  const domain = smtpUtf8 ? mailbox.domain.unicode : mailbox.domain.ascii;
  return { local: mailbox.local, domain, address: `${formatLocal(mailbox.local)}@${domain}` };
}
