import type { AttachmentInput, MessageInput } from "@smtp/client";
import { invalidInput } from "@smtp/core/internal";

/** Attachment fields that describe the part, whatever holds its bytes. @since 0.1.0 */
export type AttachmentFields = Omit<AttachmentInput, "content" | "size">;

/**
 * An attachment stored in the job itself: text (sent as UTF-8) or bytes. Its size counts
 * towards the queue's `maxMessageBytes`.
 *
 * @since 0.1.0
 */
export interface ContentAttachment extends AttachmentFields {
  /** Text (sent as UTF-8) or bytes. */
  content: string | Uint8Array;
}

/**
 * An attachment the worker reads from a file when it sends: only the absolute `path` is
 * stored, so large files never go through Redis. The file must be readable where the
 * workers run.
 *
 * @since 0.1.0
 */
export interface PathAttachment extends AttachmentFields {
  /** Absolute path of the file, read by the worker. */
  path: string;
}

/** One attachment of a queued message. @since 0.1.0 */
export type QueueAttachment = ContentAttachment | PathAttachment;

/**
 * A message to queue: `@smtp/client`'s message, with attachments given as text, bytes or a
 * file `path` (streams cannot be stored).
 *
 * @since 0.1.0
 */
export interface QueueMessageInput extends Omit<MessageInput, "attachments"> {
  /** Attachments and inline parts: text, bytes or a file `path`. */
  attachments?: readonly QueueAttachment[];
}

/** An attachment as stored: bytes become `{ base64 }`, text stays a string. @since 0.1.0 */
export interface StoredAttachment extends AttachmentFields {
  /** Text as it was given, or bytes as base64. */
  content?:
    | string
    | {
        /** The bytes, base64. */
        base64: string;
      };
  /** The file the worker reads, for a path attachment. */
  path?: string;
}

/** A message as stored in the job: JSON only. @since 0.1.0 */
export interface StoredMessage extends Omit<QueueMessageInput, "attachments" | "date"> {
  /** ISO 8601. */
  date?: string;
  /** The attachments as stored. */
  attachments?: StoredAttachment[];
}

/**
 * What a mail job holds: the message, its Message-ID (fixed at enqueue time, so every
 * attempt sends the same one) and its envelope as built (what the delivered-set counts).
 *
 * @since 0.1.0
 */
export interface MailJobData {
  /** The format's version. */
  v: 1;
  /** The Message-ID every attempt sends, `"<…@…>"`. */
  messageId: string;
  /** The envelope as built at enqueue time. */
  envelope: {
    /** MAIL FROM, `""` for the null sender. */
    from: string;
    /** Every RCPT TO. */
    to: string[];
  };
  /** The message, JSON only. */
  message: StoredMessage;
}

/** True for `Object.prototype` or null-prototype objects: what JSON writes back as it read. */
function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Refuses anything JSON would change: functions, class instances, NaN, cycles (by depth). */
function assertJson(value: unknown, field: string, depth = 0): void {
  if (depth > 32) throw invalidInput(`${field}: nested too deeply to store`);
  if (value === null || value === undefined) return;
  switch (typeof value) {
    case "string":
    case "boolean":
      return;
    case "number":
      if (Number.isFinite(value)) return;
      break;
    case "object":
      if (Array.isArray(value)) {
        value.forEach((item, i) => {
          assertJson(item, `${field}[${i}]`, depth + 1);
        });
        return;
      }
      if (isPlainObject(value)) {
        for (const [key, item] of Object.entries(value)) {
          assertJson(item, `${field}.${key}`, depth + 1);
        }
        return;
      }
      break;
  }
  throw invalidInput(`${field}: cannot be stored in a queued message (only JSON values)`);
}

function storeAttachment(attachment: QueueAttachment, i: number): StoredAttachment {
  const field = `attachments[${i}]`;
  if (typeof attachment !== "object" || attachment === null) {
    throw invalidInput(`${field}: must be an object`);
  }
  const { content, path, ...fields } = attachment as Partial<ContentAttachment & PathAttachment>;
  assertJson(fields, field);
  if (path !== undefined) {
    if (content !== undefined) throw invalidInput(`${field}: give either content or path`);
    return { ...fields, path };
  }
  if (typeof content === "string") return { ...fields, content };
  if (content instanceof Uint8Array) {
    return { ...fields, content: { base64: Buffer.from(content).toString("base64") } };
  }
  throw invalidInput(
    `${field}.content: a queued attachment is text or a Uint8Array; for a stream or a large file, pass path (a file the worker reads)`,
  );
}

/**
 * The message as JSON-safe data: `date` as ISO 8601, attachment bytes as base64. Anything
 * else that JSON cannot carry is refused with `SmtpError` kind `invalid-input`.
 *
 * @since 0.1.0
 */
export function toStoredMessage(input: QueueMessageInput): StoredMessage {
  const { attachments, date, ...rest } = input;
  assertJson(rest, "message");
  const stored: StoredMessage = { ...rest };
  if (date !== undefined) stored.date = date.toISOString();
  if (attachments !== undefined) stored.attachments = attachments.map(storeAttachment);
  return stored;
}

/**
 * The message a worker hands to `@smtp/client`: the stored one with its Message-ID, dates
 * and bytes restored, and `path` attachments passed through for the client to read.
 *
 * @since 0.1.0
 */
export function fromStoredMessage(stored: StoredMessage, messageId: string): MessageInput {
  const { attachments, date, ...rest } = stored;
  const message: MessageInput = { ...rest, messageId };
  if (date !== undefined) message.date = new Date(date);
  if (attachments !== undefined) {
    message.attachments = attachments.map((a) => {
      const { content, ...fields } = a;
      if (content === undefined) return fields as AttachmentInput;
      if (typeof content === "string") return { ...fields, content };
      return { ...fields, content: new Uint8Array(Buffer.from(content.base64, "base64")) };
    });
  }
  return message;
}
