import { type Mailbox, toEnvelopeAddress, toMailboxList, toSingleMailbox } from "./address.ts";
import { MimeError } from "./errors.ts";
import { assertHeaderSafe } from "./text.ts";
import type { BuildOptions, EnvelopeAddress, MessageInput } from "./types.ts";

/**
 * The Message-ID domain: the domain of the sender (punycode), or `options.hostname`
 * (default `localhost`) when the sender has an address literal.
 *
 * @since 0.1.0
 */
export function idDomain(from: Mailbox, options: BuildOptions): string {
  if (!from.domain.ascii.startsWith("[")) return from.domain.ascii;
  const hostname = options.hostname ?? "localhost";
  assertHeaderSafe("options.hostname", hostname);
  if (hostname.length > 253 || !/^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*$/.test(hostname))
    throw new MimeError("options.hostname", "must be an ASCII host name");
  return hostname;
}

/**
 * The envelope from structured mailboxes (never re-parsed header text): MAIL FROM from
 * the sender (or from), RCPT TO from to + cc + bcc deduplicated, unless `input.envelope`
 * overrides either. The defaults are only asked for when not overridden.
 *
 * @since 0.1.0
 */
export function buildEnvelope(
  input: MessageInput,
  defaultFrom: () => Mailbox,
  recipients: () => Mailbox[],
  smtpUtf8: boolean,
): { from: EnvelopeAddress | null; to: EnvelopeAddress[] } {
  const override = input.envelope;
  if (override !== undefined && (typeof override !== "object" || override === null)) {
    throw new MimeError("envelope", "must be { from, to }");
  }
  let from: EnvelopeAddress | null;
  if (override?.from === null || override?.from === "") from = null;
  else if (override?.from !== undefined) {
    from = toEnvelopeAddress(
      "envelope.from",
      toSingleMailbox("envelope.from", override.from, smtpUtf8),
      smtpUtf8,
    );
  } else from = toEnvelopeAddress("from", defaultFrom(), smtpUtf8);
  let to: EnvelopeAddress[];
  if (override?.to !== undefined) {
    to = toMailboxList("envelope.to", override.to, smtpUtf8).map((m, i) =>
      toEnvelopeAddress(`envelope.to[${i}]`, m, smtpUtf8),
    );
  } else to = recipients().map((m, i) => toEnvelopeAddress(`recipients[${i}]`, m, smtpUtf8));
  const seen = new Set<string>();
  const unique: EnvelopeAddress[] = [];
  for (const a of to) {
    const key = `${a.local}@${a.domain.toLowerCase()}`;
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(a);
  }
  return { from, to: unique };
}
