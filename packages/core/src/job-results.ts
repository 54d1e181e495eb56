import { type RecipientRejection, SmtpError } from "./errors.ts";
import type { Reply } from "./reply-types.ts";
import type { Action, SendResult } from "./session-types.ts";
import type { JobState, Transaction } from "./transaction.ts";

// The one result each job gets, and the errors that describe a transaction's outcome.
// Internal.

/** Reports `js` delivered (to the recipients it has accepted so far). Once per job. */
export function finishOk(actions: Action[], js: JobState): void {
  if (js.done) return;
  js.done = true;
  const result: SendResult = {
    ok: true,
    accepted: js.accepted,
    rejected: js.rejected,
    reply: js.reply!,
  };
  actions.push({ type: "result", id: js.id, result });
}

/** Reports `js` failed with `error` (keeping what an earlier transaction delivered). Once per job. */
export function finishFailed(actions: Action[], js: JobState, error: SmtpError): void {
  if (js.done) return;
  js.done = true;
  const result: SendResult = {
    ok: false,
    error,
    accepted: js.accepted,
    rejected: js.rejected,
    dataSent: js.dataSent,
  };
  actions.push({ type: "result", id: js.id, result });
}

/** The error of a job whose end of data went out and got no reply before the connection failed with `cause`. */
export function maybeDelivered(cause: SmtpError): SmtpError {
  return new SmtpError({
    kind: "connection",
    message: `${cause.message}, after the end of the message was sent and before the server answered it: the message may have been delivered, so it is not sent again`,
    detail: "maybe-delivered",
    retryable: false,
    cause,
    ...(cause.phase === undefined ? {} : { phase: cause.phase }),
    ...(cause.command === undefined ? {} : { command: cause.command }),
  });
}

/** Every recipient of `tx` was refused: the first refusal's reply is the error's. */
export function allRefused(tx: Transaction): SmtpError {
  const first = tx.rejected[0];
  return new SmtpError({
    kind: "rejected",
    message: `the server refused every recipient (${tx.rejected.length})`,
    command: "RCPT TO",
    rejected: [...tx.rejected],
    ...(first === undefined
      ? {}
      : {
          reply: {
            code: first.code,
            lines: first.message.split("\n"),
            ...(first.enhancedCode === undefined ? {} : { enhancedCode: first.enhancedCode }),
          },
        }),
  });
}

/** `requireAllRecipients` and some recipients of `tx` refused or deferred. */
export function notAllAccepted(tx: Transaction): SmtpError {
  return new SmtpError({
    kind: "rejected",
    message: "the server refused some recipients and requireAllRecipients is set",
    command: "RCPT TO",
    rejected: tx.rejected,
    retryable: false,
  });
}

/** Each recipient of a failed later part of a partly delivered job, refused with `failure`. */
export function refusedWith(
  addresses: Iterable<string>,
  failure: SmtpError,
  listed: ReadonlySet<string>,
): RecipientRejection[] {
  const out: RecipientRejection[] = [];
  for (const address of new Set(addresses)) {
    if (listed.has(address)) continue;
    const rejection: RecipientRejection = {
      address,
      code: failure.code ?? 0,
      message: failure.response ?? failure.message,
    };
    if (failure.enhancedCode !== undefined) rejection.enhancedCode = failure.enhancedCode;
    out.push(rejection);
  }
  return out;
}

/** The server refused `tx`'s data with `reply` (for the command `BDAT` or `DATA`). */
export function dataRefused(tx: Transaction, reply: Reply): SmtpError {
  return new SmtpError({
    kind: "rejected",
    message: "the server refused the message",
    reply,
    command: tx.bdat ? "BDAT" : "DATA",
  });
}

/** A refused RSET with BDAT chunks behind it: the session cannot know what the server made of them. */
export function rsetRefusedError(reply: Reply): SmtpError {
  return new SmtpError({
    kind: "protocol",
    message: "the server refused RSET",
    detail: "rset-refused",
    reply,
    command: "RSET",
    retryable: false,
  });
}

/** 354 to DATA after the pipelined envelope was refused: the connection is closed, nothing was sent. */
export function pipeliningRefusedError(reply: Reply): SmtpError {
  return new SmtpError({
    kind: "protocol",
    message:
      "the server answered DATA with 354 after refusing the pipelined envelope: the connection is closed so that nothing is delivered",
    detail: "pipelining-refused",
    reply,
    command: "DATA",
    retryable: true,
  });
}

/** The data of a message whose MAIL was refused (503) was accepted: under some other envelope. */
export function misdirectedError(tx: Transaction, reply: Reply): SmtpError {
  return new SmtpError({
    kind: "protocol",
    message:
      "the server accepted the data of a message whose MAIL it refused (503): it may have been delivered under another message's envelope",
    detail: "maybe-delivered",
    reply,
    command: tx.bdat ? "BDAT" : "DATA",
    retryable: false,
  });
}
