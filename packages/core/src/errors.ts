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

/**
 * A finer reason than {@link SmtpErrorKind}, for code that must tell cases apart. Every value
 * the `@smtp` packages set is listed here; a transport may also pass its runtime's own
 * upper-case error code (`ECONNRESET`, `ETIMEDOUT`, `CERT_HAS_EXPIRED`…).
 *
 * @since 0.2.0
 */
export type SmtpErrorDetail =
  // The server broke the protocol (kind `protocol`, or `auth` for a SASL exchange).
  | "bad-reply"
  | "inconsistent-code"
  | "line-too-long"
  | "too-many-lines"
  | "unexpected-reply"
  | "starttls-injection"
  | "bad-base64"
  | "sasl-bad-challenge"
  | "sasl-unexpected-challenge"
  | "scram-bad-nonce"
  | "scram-iterations"
  | "scram-malformed"
  | "scram-server-error"
  | "scram-server-signature"
  // How a connection or a pipelined transaction ended.
  | "eof"
  | "maybe-delivered"
  | "pipelining-refused"
  | "rset-refused"
  // The message needs an extension the server lacks (kind `rejected` or `tls-required`).
  | "smtputf8-unsupported"
  | "8bitmime-unsupported"
  | "binarymime-unsupported"
  | "requiretls-unsupported"
  | "requiretls-not-tls"
  // The caller's input (kind `invalid-input`).
  | "invalid-input"
  | "bad-ehlo-name"
  | "bad-address"
  | "line-break"
  | "no-recipient"
  | "needs-smtputf8"
  | "bad-credentials"
  | "bad-random-bytes"
  | "out-of-sequence"
  | "unknown-key"
  | "transcript-syntax"
  // The transport (kind `tls` or `connection`).
  | "not-tls"
  | "tls-on-plaintext"
  | "certificate"
  // A runtime that does not say why (Cloudflare Workers): the connection could not be
  // opened (refused, unreachable, DNS or a blocked port alike), or the TLS handshake failed.
  | "connect-failed"
  | "tls-handshake"
  // A proxy (kind `connection`): it refused the credentials, would not open the tunnel (or
  // answered what no proxy should), or could not be reached itself.
  | "proxy-auth"
  | "proxy-refused"
  | "proxy-unreachable"
  | Uppercase<string>;

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
  /** A finer reason, e.g. `starttls-injection`, `maybe-delivered`: see {@link SmtpErrorDetail}. */
  detail?: SmtpErrorDetail;
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
  /** A finer, stable reason within the kind (`starttls-injection`, `maybe-delivered`, `unknown-key`, a runtime code such as `CERT_HAS_EXPIRED`…): see {@link SmtpErrorDetail}. */
  readonly detail: SmtpErrorDetail | undefined;

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

/**
 * The `invalid-input` error: the caller's data, refused before any byte went out. The one
 * way every `@smtp` package builds it.
 *
 * @since 0.2.0
 */
export function invalidInput(
  message: string,
  detail: SmtpErrorDetail = "invalid-input",
  cause?: unknown,
): SmtpError {
  return new SmtpError({
    kind: "invalid-input",
    message,
    detail,
    retryable: false,
    cause,
  });
}
