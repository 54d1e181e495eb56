/** What a server stored for one message, as the matrix reads it back. */
import { angleAddress, header, parseHeaders } from "../mail-headers.ts";

/**
 * One delivered message, read from a server's own store.
 *
 * @since 0.1.0
 */
export interface StoredMessage {
  /** Where it was found (a Maildir file or a capture file). */
  path: string;
  /** The mailbox (Maildir folder name) or `capture`. */
  mailbox: string;
  raw: Uint8Array;
  /** The Message-ID without angle brackets, when the message has one. */
  messageId: string | undefined;
  /** The envelope sender as the server recorded it (Return-Path, or its capture). */
  envelopeFrom: string | undefined;
  /** The envelope recipients, when the server recorded them (capture files). */
  envelopeTo: string[] | undefined;
}

/**
 * Builds a {@link StoredMessage} from a message file whose envelope sender is in its
 * Return-Path header (Maildir deliveries of Postfix, Exim, OpenSMTPD and Dovecot).
 *
 * @since 0.1.0
 */
export function fromMaildirFile(path: string, mailbox: string, raw: Uint8Array): StoredMessage {
  const fields = parseHeaders(raw);
  const returnPath = header(fields, "return-path");
  const messageId = header(fields, "message-id");
  return {
    path,
    mailbox,
    raw,
    messageId: messageId === undefined ? undefined : angleAddress(messageId),
    envelopeFrom: returnPath === undefined ? undefined : angleAddress(returnPath),
    envelopeTo: undefined,
  };
}

/**
 * Builds a {@link StoredMessage} from a capture pair: the `.eml` and the envelope JSON
 * (`{ from, to }`) written by the Haraka plugin or the smtp-server peer.
 *
 * @since 0.1.0
 */
export function fromCapture(path: string, raw: Uint8Array, envelopeJson: string): StoredMessage {
  const envelope = JSON.parse(envelopeJson) as { from?: unknown; to?: unknown };
  const messageId = header(parseHeaders(raw), "message-id");
  return {
    path,
    mailbox: "capture",
    raw,
    messageId: messageId === undefined ? undefined : angleAddress(messageId),
    envelopeFrom: typeof envelope.from === "string" ? envelope.from : undefined,
    envelopeTo: Array.isArray(envelope.to) ? envelope.to.map(String) : undefined,
  };
}
