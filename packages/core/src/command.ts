import { utf8 } from "./bytes.ts";
import {
  assertNoLineBreak,
  assertValidAddress,
  invalidInput,
  isValidEhloName,
} from "./validate.ts";
import { encodeUtf8AddrUnitext, encodeXtext } from "./xtext.ts";

/** ESMTP parameters of MAIL FROM. @since 0.1.0 */
export interface MailParameters {
  /** SIZE=: the message size in octets. */
  size?: number;
  /** BODY=: the body type. */
  body?: "7BIT" | "8BITMIME" | "BINARYMIME";
  /** SMTPUTF8: the transaction may carry UTF-8 addresses and headers. */
  smtpUtf8?: boolean;
  /** RET= (DSN): what a bounce returns. */
  ret?: "FULL" | "HDRS";
  /** Raw ENVID; the encoder turns it into xtext. */
  envid?: string;
  /** REQUIRETLS (RFC 8689). */
  requireTls?: boolean;
}

/** ESMTP parameters of RCPT TO. @since 0.1.0 */
export interface RcptParameters {
  /** NOTIFY= (DSN): when to notify, or `NEVER`. */
  notify?: readonly ("SUCCESS" | "FAILURE" | "DELAY")[] | "NEVER";
  /** The original recipient; sent as `ORCPT=rfc822;<xtext>` (or `utf-8;` when SMTPUTF8). */
  orcpt?: string;
  /** SMTPUTF8 transaction: the addresses may be UTF-8; a non-ASCII ORCPT uses the `utf-8` type (RFC 6533). */
  smtpUtf8?: boolean;
}

/**
 * Every command the client can send, typed. Arguments are validated by
 * {@link encodeCommand}; nothing else turns a command into bytes.
 *
 * `AUTH` and `AUTH-RESPONSE` carry base64 text (or `*` to cancel); they are never
 * written to a transcript or an error.
 *
 * @since 0.1.0
 */
export type Command =
  | {
      /** The greeting command. */
      name: "EHLO" | "HELO" | "LHLO";
      /** The client's name: a domain or an address literal. */
      domain: string;
    }
  | {
      /** A command without arguments. */
      name: "STARTTLS" | "RSET" | "NOOP" | "QUIT" | "DATA";
    }
  | {
      /** MAIL FROM. */
      name: "MAIL";
      /** The envelope sender ("" for the null sender). */
      from: string;
      /** ESMTP parameters. */
      params?: MailParameters;
    }
  | {
      /** RCPT TO. */
      name: "RCPT";
      /** The recipient. */
      to: string;
      /** ESMTP parameters. */
      params?: RcptParameters;
    }
  | {
      /** AUTH. */
      name: "AUTH";
      /** The SASL mechanism. */
      mechanism: string;
      /** The base64 initial response, if sent with the command. */
      initialResponse?: string;
    }
  | {
      /** A SASL continuation line. */
      name: "AUTH-RESPONSE";
      /** Base64, or `*` to cancel. */
      response: string;
    }
  | {
      /** BDAT (CHUNKING). */
      name: "BDAT";
      /** The chunk's size in octets. */
      size: number;
      /** Whether this is the last chunk. */
      last: boolean;
    };

/** What stands in for a SASL payload in transcripts and errors. @since 0.1.0 */
export const REDACTED = "<redacted>";

const BASE64 = /^(?:[A-Za-z0-9+/]*={0,2}|\*)$/;

function mailLine(from: string, params: MailParameters = {}): string {
  assertValidAddress(from, "sender", params.smtpUtf8 === true, true);
  let line = `MAIL FROM:<${from}>`;
  if (params.size !== undefined) {
    if (!Number.isSafeInteger(params.size) || params.size < 0)
      throw invalidInput("SIZE is not a non-negative integer");
    line += ` SIZE=${params.size}`;
  }
  if (params.body !== undefined) {
    if (!["7BIT", "8BITMIME", "BINARYMIME"].includes(params.body))
      throw invalidInput("BODY is not a known value");
    line += ` BODY=${params.body}`;
  }
  if (params.smtpUtf8 === true) line += " SMTPUTF8";
  if (params.ret !== undefined) {
    if (params.ret !== "FULL" && params.ret !== "HDRS")
      throw invalidInput("RET is not FULL or HDRS");
    line += ` RET=${params.ret}`;
  }
  if (params.envid !== undefined) {
    const envid = encodeXtext(params.envid);
    if (envid.length === 0 || envid.length > 100)
      throw invalidInput("ENVID must be 1 to 100 characters");
    line += ` ENVID=${envid}`;
  }
  if (params.requireTls === true) line += " REQUIRETLS";
  return line;
}

function rcptLine(to: string, params: RcptParameters = {}): string {
  assertValidAddress(to, "recipient", params.smtpUtf8 === true, false);
  let line = `RCPT TO:<${to}>`;
  const notify = params.notify;
  if (notify !== undefined) {
    if (notify === "NEVER") line += " NOTIFY=NEVER";
    else {
      const known = ["SUCCESS", "FAILURE", "DELAY"];
      if (notify.length === 0 || notify.some((n) => !known.includes(n))) {
        throw invalidInput("NOTIFY must be NEVER or a non-empty list of SUCCESS, FAILURE, DELAY");
      }
      line += ` NOTIFY=${[...new Set(notify)].join(",")}`;
    }
  }
  if (params.orcpt !== undefined) {
    assertValidAddress(params.orcpt, "ORCPT", params.smtpUtf8 === true, false);
    // The utf-8 address type only when needed (RFC 6533): plain rfc822 xtext otherwise.
    line += /[^\x00-\x7f]/.test(params.orcpt)
      ? ` ORCPT=utf-8;${encodeUtf8AddrUnitext(params.orcpt)}`
      : ` ORCPT=rfc822;${encodeXtext(params.orcpt)}`;
  }
  return line;
}

function commandLine(command: Command): string {
  switch (command.name) {
    case "EHLO":
    case "HELO":
    case "LHLO":
      assertNoLineBreak(command.domain, "the EHLO name");
      if (!isValidEhloName(command.domain))
        throw invalidInput("the EHLO name is not a domain or an address literal", "bad-ehlo-name");
      return `${command.name} ${command.domain}`;
    case "STARTTLS":
    case "RSET":
    case "NOOP":
    case "QUIT":
    case "DATA":
      return command.name;
    case "MAIL":
      return mailLine(command.from, command.params);
    case "RCPT":
      return rcptLine(command.to, command.params);
    case "AUTH": {
      if (!/^[A-Z0-9_-]{1,20}$/.test(command.mechanism))
        throw invalidInput("not a SASL mechanism name");
      const ir = command.initialResponse;
      if (ir === undefined) return `AUTH ${command.mechanism}`;
      if (!BASE64.test(ir)) throw invalidInput("the initial response is not base64");
      // RFC 4954 §4: an empty initial response is sent as "=".
      return `AUTH ${command.mechanism} ${ir === "" ? "=" : ir}`;
    }
    case "AUTH-RESPONSE":
      if (!BASE64.test(command.response)) throw invalidInput("the SASL response is not base64");
      return command.response;
    case "BDAT":
      if (!Number.isSafeInteger(command.size) || command.size < 0)
        throw invalidInput("BDAT size is not a non-negative integer");
      return command.last ? `BDAT ${command.size} LAST` : `BDAT ${command.size}`;
  }
}

/**
 * Encodes one command as its line, CRLF included. Every argument is checked first, so a
 * refused argument throws before a byte exists (R2, R3).
 *
 * @throws {@link SmtpError} of kind `invalid-input`; the message never quotes the argument.
 * @since 0.1.0
 */
export function encodeCommand(command: Command): Uint8Array {
  return utf8(`${commandLine(command)}\r\n`);
}

/**
 * The command's line without CRLF, every argument checked as by {@link encodeCommand}.
 * The wire queues lines as text and encodes them together when it writes.
 *
 * @throws {@link SmtpError} of kind `invalid-input`; the message never quotes the argument.
 * @since 0.2.0
 */
export function commandText(command: Command): string {
  return commandLine(command);
}

/**
 * The command as it may appear in a transcript or an error: SASL payloads are replaced by
 * {@link REDACTED}, by construction, since this function never reads them.
 *
 * @since 0.1.0
 */
export function describeCommand(command: Command, line?: string): string {
  switch (command.name) {
    case "AUTH":
      return command.initialResponse === undefined
        ? `AUTH ${command.mechanism}`
        : `AUTH ${command.mechanism} ${REDACTED}`;
    case "AUTH-RESPONSE":
      return REDACTED;
    default:
      // `line`: the command's text from {@link commandText}, when the caller has it already.
      return line ?? commandLine(command);
  }
}

/**
 * The command's name for {@link SmtpError.command}: `MAIL FROM`, `RCPT TO`, `AUTH PLAIN`…
 * (no addresses or payloads).
 *
 * @since 0.1.0
 */
export function commandName(command: Command): string {
  switch (command.name) {
    case "MAIL":
      return "MAIL FROM";
    case "RCPT":
      return "RCPT TO";
    case "AUTH":
      return `AUTH ${command.mechanism}`;
    case "AUTH-RESPONSE":
      return "AUTH";
    case "BDAT":
      return command.last ? "BDAT LAST" : "BDAT";
    default:
      return command.name;
  }
}
