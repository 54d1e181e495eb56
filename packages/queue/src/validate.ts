import { isAbsolute } from "node:path";
import { type AttachmentInput, type MessageInput, validateMessage } from "@smtp/client";
import { invalidInput } from "@smtp/core/internal";
import type { QueueMessageInput } from "./message-data.ts";

/** What enqueueing learns from building the message once. @since 0.1.0 */
export interface CheckedMessage {
  /** The Message-ID every attempt will send: the caller's, or one drawn now. */
  messageId: string;
  /** The envelope as built: MAIL FROM (`""` for the null sender) and every RCPT TO. */
  envelope: { from: string; to: string[] };
}

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

/**
 * Checks the message as `@smtp/client`'s `send` does before it connects (field names,
 * addresses, headers, attachments, at least one recipient), so a bad message is refused in
 * the producer with `SmtpError` kind `invalid-input`, naming the field. Returns the
 * Message-ID and envelope the worker will use.
 *
 * @since 0.1.0
 */
export function checkMessage(input: QueueMessageInput): CheckedMessage {
  if (typeof input !== "object" || input === null) throw invalidInput("message must be an object");
  const probe = { ...input } as MessageInput;
  if (Array.isArray(input.attachments)) {
    probe.attachments = input.attachments.map(probeAttachment) as AttachmentInput[];
  }
  return validateMessage(probe);
}
