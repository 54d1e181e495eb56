import type { Command, MailParameters, RcptParameters } from "./command.ts";
import { commandText } from "./command.ts";
import type { DataEncoder } from "./data-encoder.ts";
import type { RecipientRejection, SmtpError } from "./errors.ts";
import type { Capabilities, Reply } from "./reply-types.ts";
import type { JobId, SendJob } from "./session-types.ts";
import { invalidInput } from "./validate.ts";

// The pieces of a Session's transactions that need no session state. Internal: not
// exported from the package.

/** One message and what is known of its outcome so far (it may take several transactions). @since 0.1.0 */
export interface JobState {
  id: JobId;
  job: SendJob;
  accepted: string[];
  rejected: RecipientRejection[];
  dataSent: boolean;
  reply: Reply | undefined;
  done: boolean;
}

/** One MAIL…end-of-data transaction for some of a job's recipients. @since 0.1.0 */
export interface Transaction {
  js: JobState;
  recipients: string[];
  accepted: string[];
  rejected: RecipientRejection[];
  /** Recipients refused with "452 too many recipients": they go in a further transaction. */
  deferred: string[];
  mailOk: boolean | undefined;
  rcptReplies: number;
  /** RCPT commands written so far (all at once with PIPELINING, else one by one). */
  rcptSent: number;
  dataPipelined: boolean;
  bdat: boolean;
  /** `envelope`: MAIL/RCPT in flight; `body`: need-body issued; `ended`: end of data written. */
  stage: "envelope" | "body" | "ended";
  encoder: DataEncoder | undefined;
  failure: SmtpError | undefined;
  /**
   * Started while an earlier transaction's outcome was still unknown (pipelined behind its
   * end of data): it begins with RSET, so it starts from a known state on every server.
   */
  speculative: boolean;
  /**
   * The server refused the speculation (a 503 to the leading RSET or to MAIL): none of this
   * transaction counts, and it is sent again once the earlier outcomes are known.
   */
  speculationRefused: boolean;
  /** BDAT body bytes held back (copied, under `BODY_COPY_LIMIT` in all) so that a message that fits goes out as one `BDAT n LAST`. */
  held: Uint8Array[];
  heldSize: number;
}

/** A refused recipient from its reply. @since 0.1.0 */
export function rejectionOf(address: string, reply: Reply): RecipientRejection {
  const rejection: RecipientRejection = {
    address,
    code: reply.code,
    message: reply.lines.join("\n"),
  };
  if (reply.enhancedCode !== undefined) rejection.enhancedCode = reply.enhancedCode;
  return rejection;
}

/** Whether a RCPT reply is the server's recipient limit (452, RFC 5321 §4.5.3.1.10). @since 0.1.0 */
export function isTooManyRecipients(reply: Reply): boolean {
  return (
    reply.code === 452 &&
    (reply.enhancedCode === "4.5.3" || /too many recipients/i.test(reply.lines.join(" ")))
  );
}

/** A 2xx reply. @since 0.1.0 */
export function positive(reply: Reply): boolean {
  return reply.code >= 200 && reply.code < 300;
}

/** Refuses a job whose envelope could not be encoded, before any byte exists (R2, R3). @since 0.1.0 */
export function validateJob(job: SendJob): void {
  if (typeof job !== "object" || job === null) throw invalidInput("the job must be an object");
  if (typeof job.from !== "string") throw invalidInput("from must be a string");
  if (!Array.isArray(job.to) || job.to.length === 0)
    throw invalidInput("a message needs at least one recipient", "no-recipient");
  const utf8 = job.smtpUtf8 === true;
  for (const to of job.to) {
    if (typeof to !== "string") throw invalidInput("recipients must be strings");
  }
  if (job.size !== undefined && (!Number.isSafeInteger(job.size) || job.size < 0)) {
    throw invalidInput("size must be a non-negative integer");
  }
  if (job.requireTls !== undefined && typeof job.requireTls !== "boolean") {
    throw invalidInput("requireTls must be a boolean");
  }
  // Write the full envelope once with every parameter, so any bad value throws here: the
  // sender and each recipient are checked (R2, R3) as their command lines are made.
  const dsn = job.dsn;
  const mail: MailParameters = { size: job.size ?? 0 };
  if (dsn?.ret !== undefined) mail.ret = dsn.ret;
  if (dsn?.envid !== undefined) mail.envid = dsn.envid;
  if (utf8) mail.smtpUtf8 = true;
  commandText({ name: "MAIL", from: job.from, params: mail });
  for (const to of job.to) {
    const params: RcptParameters = {};
    if (dsn?.notify !== undefined) params.notify = dsn.notify;
    if (dsn?.orcpt === true) params.orcpt = to;
    if (utf8) params.smtpUtf8 = true;
    commandText({ name: "RCPT", to, params });
  }
}

/** The MAIL FROM parameters for `job` on a server with `caps`. @since 0.1.0 */
export function mailParameters(job: SendJob, caps: Capabilities): MailParameters {
  const mail: MailParameters = {};
  if (job.size !== undefined && caps.size !== undefined) mail.size = job.size;
  if (job.binary === true) mail.body = "BINARYMIME";
  else if (job.eightBit === true && caps.eightBitMime) mail.body = "8BITMIME";
  if (job.smtpUtf8 === true) mail.smtpUtf8 = true;
  // DSN parameters only where the server offers DSN: a server without it would refuse them.
  const dsn = caps.dsn ? job.dsn : undefined;
  if (dsn?.ret !== undefined) mail.ret = dsn.ret;
  if (dsn?.envid !== undefined) mail.envid = dsn.envid;
  if (job.requireTls === true) mail.requireTls = true;
  return mail;
}

/** The RCPT TO command for `address` of `job` on a server with `caps`. @since 0.1.0 */
export function rcptCommand(job: SendJob, caps: Capabilities, address: string): Command {
  const params: RcptParameters = {};
  const dsn = caps.dsn ? job.dsn : undefined;
  if (dsn?.notify !== undefined) params.notify = dsn.notify;
  if (dsn?.orcpt === true) params.orcpt = address;
  if (job.smtpUtf8 === true) params.smtpUtf8 = true;
  return { name: "RCPT", to: address, params };
}

/** A new transaction of `js` for `recipients`; `speculative` when it starts with RSET behind an unknown outcome. @since 0.1.0 */
export function newTransaction(
  js: JobState,
  recipients: string[],
  bdat: boolean,
  speculative: boolean,
): Transaction {
  return {
    js,
    recipients,
    accepted: [],
    rejected: [],
    deferred: [],
    mailOk: undefined,
    rcptReplies: 0,
    rcptSent: 0,
    dataPipelined: false,
    bdat,
    stage: "envelope",
    encoder: undefined,
    failure: undefined,
    speculative,
    speculationRefused: false,
    held: [],
    heldSize: 0,
  };
}
