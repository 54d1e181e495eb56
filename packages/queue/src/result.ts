import type { RejectedRecipient } from "@smtp/client";

/**
 * What a mail job completes with (BullMQ's return value): who has the message and who
 * refused it for good, over all attempts.
 *
 * @since 0.1.0
 */
export interface DeliveryResult {
  /** The Message-ID sent, `"<…@…>"`. */
  messageId: string;
  /** Recipients a server accepted (a final 2xx for the data), over all attempts. */
  accepted: string[];
  /** Recipients refused for good (5xx), with the server's reply; never retried. */
  rejected: RejectedRecipient[];
  /** The server's last reply to the data, e.g. `"250 2.0.0 Ok: queued as 4F1C2"`; `""` if no recipient accepted it. */
  response: string;
  /** True when this job found the message already delivered and sent nothing. */
  alreadyDelivered: boolean;
}

/**
 * How one recipient ended, as kept in the delivered-set: accepted with the server's reply
 * to the data, or refused for good with the reply to its RCPT (or to the data).
 *
 * @since 0.1.0
 */
export type RecipientOutcome =
  | {
      /** Accepted. */
      ok: true;
      /** The server's reply to the data. */
      response: string;
    }
  | {
      /** Refused for good. */
      ok: false;
      /** The reply code, 5xx. */
      code: number;
      /** The RFC 3463 enhanced status code, when the server sent one. */
      enhancedCode: string | undefined;
      /** The server's text. */
      message: string;
    };

/** The result of a job from the outcomes of its recipients. @since 0.1.0 */
export function deliveryResult(
  messageId: string,
  outcomes: ReadonlyMap<string, RecipientOutcome>,
  alreadyDelivered: boolean,
): DeliveryResult {
  let response = "";
  const accepted: string[] = [];
  const rejected: RejectedRecipient[] = [];
  for (const [address, outcome] of outcomes) {
    if (outcome.ok) {
      accepted.push(address);
      response = outcome.response;
    } else
      rejected.push({
        address,
        code: outcome.code,
        enhancedCode: outcome.enhancedCode,
        message: outcome.message,
      });
  }
  return { messageId, accepted, rejected, response, alreadyDelivered };
}
