import type { Reply } from "./reply-types.ts";

/**
 * What went wrong, as a stable string users can switch on.
 *
 * - `invalid-input`: the caller's data was refused before any byte went out.
 * - `connection`: the network failed (refused, reset, closed early, DNS).
 * - `timeout`: a deadline passed; {@link SmtpError.phase} names the phase.
 * - `tls`: the TLS handshake or certificate verification failed.
 * - `tls-required`: TLS was required but not offered, or STARTTLS was refused.
 * - `auth`: the server refused the credentials (535, 534, 538, 454, 530 …).
 * - `auth-unavailable`: no mechanism both sides support, or AUTH not offered.
 * - `insecure-auth`: credentials would have gone over a connection without TLS.
 * - `rejected`: the server refused the transaction (sender, every recipient, or the data).
 * - `size`: the message is larger than the server's advertised limit.
 * - `protocol`: the server broke the protocol (bad reply, injection, overlong line…).
 * - `aborted`: the caller's signal aborted the operation.
 *
 * @since 0.1.0
 */
export type SmtpErrorKind =
  | "invalid-input"
  | "connection"
  | "timeout"
  | "tls"
  | "tls-required"
  | "auth"
  | "auth-unavailable"
  | "insecure-auth"
  | "rejected"
  | "size"
  | "protocol"
  | "aborted";

/** The phase a deadline belongs to. @since 0.1.0 */
export type TimeoutPhase =
  | "connect"
  | "tls"
  | "greeting"
  | "command"
  | "data-start"
  | "data-block"
  | "data-end"
  | "quit";

/** One refused recipient. @since 0.1.0 */
export interface RecipientRejection {
  /** The recipient as given in RCPT TO. */
  address: string;
  /** The reply code, e.g. 550. */
  code: number;
  /** The RFC 3463 enhanced status code, e.g. "5.1.1", when the server sent one. */
  enhancedCode?: string;
  /** The server's text, all lines joined with "\n". */
  message: string;
}

/** Constructor fields of {@link SmtpError}. @since 0.1.0 */
export interface SmtpErrorOptions {
  /** What went wrong: see {@link SmtpErrorKind}. */
  kind: SmtpErrorKind;
  /** What happened and, where there is one, which option fixes it. Never a credential. */
  message: string;
  /** The server reply that caused the error: sets `code`, `enhancedCode` and `response`. */
  reply?: Reply;
  /** The command the reply answered, redacted. */
  command?: string;
  /** For `timeout`: the phase whose deadline passed. */
  phase?: TimeoutPhase;
  /** Default: from the reply (4xx yes, 5xx no), else yes for `connection` and `timeout` only. */
  retryable?: boolean;
  /** For `rejected`: every refused recipient. */
  rejected?: RecipientRejection[];
  /** A finer-grained reason for `protocol` errors, e.g. `starttls-injection`, `line-too-long`. */
  detail?: string;
  /** The underlying error (a socket or TLS error, a callback's throw). */
  cause?: unknown;
}

const BRAND = Symbol.for("@smtp/core/SmtpError");

/**
 * The one error type of `@smtp`. Every failure carries a {@link SmtpErrorKind}; a
 * server reply's code, enhanced code and text when there was one; the command it answered;
 * and whether retrying later may succeed (4xx, network failures and timeouts: yes;
 * 5xx and certificate failures: no). It never carries a password, token or SASL payload.
 *
 * `instanceof` works across duplicate copies of the package (a global brand).
 *
 * @since 0.1.0
 */
export class SmtpError extends Error {
  /** Always `"SmtpError"`. */
  override readonly name = "SmtpError";
  /** What went wrong, as a stable string to switch on: see {@link SmtpErrorKind}. */
  readonly kind: SmtpErrorKind;
  /** The reply code (e.g. 535), when a reply caused the error. */
  readonly code: number | undefined;
  /** The RFC 3463 enhanced status code (e.g. "5.7.8"), when the server sent one. */
  readonly enhancedCode: string | undefined;
  /** The server's reply text, all lines joined with "\n". */
  readonly response: string | undefined;
  /** The command the reply answered, redacted (`AUTH PLAIN` without its payload). */
  readonly command: string | undefined;
  /** For `timeout`: which phase's deadline passed. */
  readonly phase: TimeoutPhase | undefined;
  /** Whether trying again later may succeed: 4xx replies, network failures and timeouts yes; 5xx replies, certificate failures and invalid input no. */
  readonly retryable: boolean;
  /** For `rejected`: every refused recipient. */
  readonly rejected: RecipientRejection[] | undefined;
  /** A finer-grained, stable reason within the kind, e.g. `starttls-injection`, `line-too-long`, `not-tls`, `unknown-key`, or a TLS error code such as `CERT_HAS_EXPIRED`. */
  readonly detail: string | undefined;

  constructor(options: SmtpErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = options.kind;
    this.code = options.reply?.code;
    this.enhancedCode = options.reply?.enhancedCode;
    this.response = options.reply ? options.reply.lines.join("\n") : undefined;
    this.command = options.command;
    this.phase = options.phase;
    this.rejected = options.rejected;
    this.detail = options.detail;
    this.retryable =
      options.retryable ??
      (options.reply
        ? options.reply.code >= 400 && options.reply.code < 500
        : options.kind === "connection" || options.kind === "timeout");
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** `instanceof SmtpError` is true for an SmtpError from any copy of the package (a global brand). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && BRAND in value;
  }
}
