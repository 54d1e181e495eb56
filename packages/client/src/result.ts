import type { Reply, SendResult, SmtpError } from "@smtp/core";

/**
 * One recipient the server refused.
 *
 * @since 0.1.0
 */
export interface RejectedRecipient {
  /** The recipient as given in RCPT TO. */
  address: string;
  /** The reply code, e.g. 550. */
  code: number;
  /** The RFC 3463 enhanced status code, e.g. "5.1.1", when the server sent one. */
  enhancedCode: string | undefined;
  /** The server's text, lines joined with "\n". */
  message: string;
}

/**
 * What `client.send()` resolves to: the message was accepted by the server (its final
 * 2xx reply) for at least one recipient.
 *
 * @since 0.1.0
 */
export interface SendInfo {
  /** The Message-ID header, `"<…@…>"`. */
  messageId: string;
  /** The envelope as sent: MAIL FROM ("" for the null sender) and every RCPT TO. */
  envelope: {
    /** MAIL FROM: the envelope sender ("" for the null sender). */
    from: string;
    /** Every RCPT TO, in order. */
    to: string[];
  };
  /** Recipients the server accepted. */
  accepted: string[];
  /** Recipients the server refused, with its reply. */
  rejected: RejectedRecipient[];
  /** The server's final reply to the data, e.g. `"250 2.0.0 Ok: queued as 4F1C2"`. */
  response: string;
}

/** A reply as one line of text: code, enhanced code, then the text lines joined with "\n". @since 0.1.0 */
export function formatReply(reply: Reply): string {
  const enhanced = reply.enhancedCode ? `${reply.enhancedCode} ` : "";
  return `${reply.code} ${enhanced}${reply.lines.join("\n")}`;
}

/** Builds {@link SendInfo} from the engine's successful result. @since 0.1.0 */
export function toSendInfo(
  messageId: string,
  envelope: { from: string; to: string[] },
  result: Extract<SendResult, { ok: true }>,
): SendInfo {
  return {
    messageId,
    envelope: { from: envelope.from, to: [...envelope.to] },
    accepted: [...result.accepted],
    rejected: result.rejected.map((r) => ({
      address: r.address,
      code: r.code,
      enhancedCode: r.enhancedCode,
      message: r.message,
    })),
    response: formatReply(result.reply),
  };
}

/**
 * The result of a message that failed before the server took or refused any recipient:
 * `dataSent` says whether some of its bytes may have reached the wire (then it is resent
 * only if its body can be read again).
 *
 * @since 0.1.0
 */
export function failedResult(
  error: SmtpError,
  dataSent: boolean,
): Extract<SendResult, { ok: false }> {
  return { ok: false, error, accepted: [], rejected: [], dataSent };
}
