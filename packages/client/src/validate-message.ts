import type { MessageInput } from "@smtp/mime";
import { prepareMessage } from "./prepare.ts";

/**
 * What {@link validateMessage} learned from building a message once.
 *
 * @since 0.1.0
 */
export interface ValidatedMessage {
  /** The Message-ID the message was built with: the one given, or one drawn now, `"<…@…>"`. */
  messageId: string;
  /** The envelope `send` would use. */
  envelope: {
    /** MAIL FROM, `""` for the null sender. */
    from: string;
    /** Every RCPT TO, as they go on the wire. */
    to: string[];
  };
}

/**
 * Checks a message exactly as `send` does before it connects (field names, addresses,
 * headers, attachments, at least one recipient), without sending anything: for code that
 * accepts a message now and sends it later, such as a queue's producer. A bad message throws
 * `SmtpError` kind `invalid-input` naming the field.
 *
 * To send the very Message-ID returned, pass it back as `messageId`.
 *
 * @since 0.1.0
 */
export function validateMessage(message: MessageInput): ValidatedMessage {
  const { message: built, job } = prepareMessage(message, {});
  return { messageId: built.messageId, envelope: { from: job.from, to: [...job.to] } };
}
