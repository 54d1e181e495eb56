import { isAbsolute } from "node:path";
import type { AttachmentInput, MessageInput } from "@smtp/client";
import { createMessage, type Message, MimeError } from "@smtp/mime";
import { invalidInput } from "./errors.ts";
import type { QueueMessageInput } from "./message-data.ts";

/** What enqueueing learns from building the message once. @since 0.1.0 */
export interface CheckedMessage {
  /** The Message-ID every attempt will send: the caller's, or one drawn now. */
  messageId: string;
  envelope: { from: string; to: string[] };
}

const randomBytes = (length: number) => crypto.getRandomValues(new Uint8Array(length));

/**
 * A stand-in for a `path` attachment while checking: its bytes are the worker's business,
 * but its name, type, content id and disposition are checked now.
 */
function probeAttachment(attachment: unknown, i: number): unknown {
  if (typeof attachment !== "object" || attachment === null || !("path" in attachment)) {
    return attachment;
  }
  const { path, ...fields } = attachment as { path: unknown };
  if (typeof path !== "string" || !isAbsolute(path) || path.includes("\0")) {
    throw invalidInput(
      `attachments[${i}].path: must be an absolute file path (the worker reads it when it sends)`,
    );
  }
  return { ...fields, content: "" };
}

function build(input: MessageInput, smtpUtf8: boolean): Message {
  // The same choices as @smtp/client's send: 7-bit bodies, SMTPUTF8 only when needed.
  return createMessage(input, { now: new Date(), randomBytes, allow8bit: false, smtpUtf8 });
}

/**
 * Builds the message with `@smtp/mime` (without producing its bytes), so a bad address,
 * header or attachment is refused in the producer with `SmtpError` kind `invalid-input`,
 * naming the field. Returns the Message-ID and envelope the worker will use.
 *
 * @since 0.1.0
 */
export function checkMessage(input: QueueMessageInput): CheckedMessage {
  if (typeof input !== "object" || input === null) throw invalidInput("message must be an object");
  const probe: MessageInput = { ...input } as MessageInput;
  if (Array.isArray(input.attachments)) {
    probe.attachments = input.attachments.map(probeAttachment) as AttachmentInput[];
  }
  let message: Message;
  try {
    message = build(probe, false);
  } catch (first) {
    if (!(first instanceof MimeError)) throw invalidInput(String(first), first);
    try {
      message = build(probe, true);
    } catch {
      throw invalidInput(first.message, first);
    }
    if (!message.smtpUtf8) throw invalidInput(first.message, first);
  }
  const to = message.envelope.to.map((a) => a.address);
  if (to.length === 0) {
    throw invalidInput("the message has no recipient (to, cc, bcc or envelope.to)");
  }
  return {
    messageId: message.messageId,
    envelope: { from: message.envelope.from?.address ?? "", to },
  };
}
