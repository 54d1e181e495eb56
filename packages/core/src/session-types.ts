import type { RecipientRejection, SmtpError, TimeoutPhase } from "./errors.ts";
import type { Capabilities, Reply } from "./reply-types.ts";

/** How STARTTLS is used on a plaintext connection. @since 0.1.0 */
export type StartTlsPolicy = "required" | "opportunistic" | "never";

/** SASL mechanisms the engine implements. @since 0.1.0 */
export type AuthMethod =
  | "PLAIN"
  | "LOGIN"
  | "CRAM-MD5"
  | "XOAUTH2"
  | "OAUTHBEARER"
  | "SCRAM-SHA-256";

/** Credentials: a password, or an OAuth 2 access token (XOAUTH2, OAUTHBEARER). @since 0.1.0 */
export type Credentials =
  | { user: string; pass: string; method?: AuthMethod }
  | { user: string; accessToken: string; method?: AuthMethod };

/** Per-phase deadlines in milliseconds. @since 0.1.0 */
export interface Timeouts {
  /** 220 greeting. */
  greeting: number;
  /** EHLO, STARTTLS, AUTH steps, MAIL, RCPT, RSET, NOOP. */
  command: number;
  /** DATA until 354. */
  dataStart: number;
  /** No progress while the body is being written (time between body chunks). */
  dataBlock: number;
  /** Final "." (or BDAT LAST) until its reply. */
  dataEnd: number;
  /** QUIT until 221; the session closes anyway when it passes. */
  quit: number;
}

/** Bounds on what the server can make the engine buffer. @since 0.1.0 */
export interface Limits {
  /** Longest reply line accepted, CRLF excluded. */
  maxLineLength: number;
  /** Most lines in one reply. */
  maxReplyLines: number;
}

/** One line of the conversation, for logs; credentials are already replaced. @since 0.1.0 */
export interface TranscriptEntry {
  /** `S` server line, `C` client line, `*` an event such as the TLS upgrade or end-of-stream. */
  direction: "S" | "C" | "*";
  text: string;
}

/** What the engine is configured with. @since 0.1.0 */
export interface SessionOptions {
  /** The EHLO/HELO/LHLO name: a domain or an address literal ("[192.0.2.1]", "[IPv6:…]"). Validated. */
  ehloName: string;
  /** Speak LMTP (RFC 2033): LHLO, and one reply per accepted recipient after the data. */
  lmtp?: boolean;
  /** The connection is TLS from the first byte (implicit TLS, port 465). */
  secure?: boolean;
  /** Only when not `secure`. Default `"required"`. */
  starttls?: StartTlsPolicy;
  /** The server name for TLS (SNI and certificate check), carried in the `upgrade-tls` action. */
  servername: string;
  auth?: Credentials;
  /** Allow AUTH over a connection without TLS. Default false. */
  allowInsecureAuth?: boolean;
  /** The caller declares the peer a loopback address: cleartext AUTH is then allowed. */
  peerIsLoopback?: boolean;
  timeouts?: Partial<Timeouts>;
  limits?: Partial<Limits>;
  /** Called with each line of the conversation, credentials redacted. */
  transcript?: (entry: TranscriptEntry) => void;
  /**
   * Use BDAT (CHUNKING, RFC 3030) when the server offers CHUNKING and PIPELINING. Default
   * true; with false, DATA is used unless the message is binary.
   */
  chunking?: boolean;
  /** Random bytes, needed only for the SCRAM client nonce (the core has no randomness of its own). */
  randomBytes?: (length: number) => Uint8Array;
  /**
   * The access token of `auth` can be renewed: when the server refuses it (XOAUTH2 or
   * OAUTHBEARER answered with 535), the session asks for a fresh one with a `need-token`
   * action and retries AUTH once with what {@link SessionApi.tokenRefreshed} gives. A
   * second refusal fails as usual (kind `auth`). Default false.
   */
  refreshableToken?: boolean;
}

/** DSN options (RFC 3461) for one message. @since 0.1.0 */
export interface DsnOptions {
  ret?: "FULL" | "HDRS";
  envid?: string;
  notify?: ("SUCCESS" | "FAILURE" | "DELAY")[] | "NEVER";
  /** Whether to send ORCPT=rfc822;<address> with each recipient. */
  orcpt?: boolean;
}

/** One message to deliver: its envelope and what the body needs. @since 0.1.0 */
export interface SendJob {
  /** Envelope sender; "" for the null reverse-path. */
  from: string;
  to: string[];
  /** The body's exact size in octets when known: sent as SIZE= and checked against the server's limit. */
  size?: number;
  /**
   * The body has 8-bit octets (BODY=8BITMIME). It needs a server offering 8BITMIME (RFC 6152);
   * otherwise the job fails before MAIL (`8bitmime-unsupported`).
   */
  eightBit?: boolean;
  /**
   * The body is binary (BODY=BINARYMIME). It needs a server offering BINARYMIME, CHUNKING and
   * PIPELINING; otherwise the job fails before MAIL (`binarymime-unsupported`).
   */
  binary?: boolean;
  /** Non-ASCII envelope or headers: SMTPUTF8 (an error when the server lacks it). */
  smtpUtf8?: boolean;
  dsn?: DsnOptions;
  /** Fail the whole message (RSET) when any recipient is refused. Default false. */
  requireAllRecipients?: boolean;
  /**
   * REQUIRETLS (RFC 8689): the message may only travel over TLS. MAIL FROM carries
   * `REQUIRETLS`; on a connection without TLS, or to a server that does not offer
   * REQUIRETLS, the job fails before MAIL with kind `tls-required` (never sent without it).
   */
  requireTls?: boolean;
}

/** Identifies a queued {@link SendJob}. @since 0.1.0 */
export type JobId = number;

/** The outcome of one message. @since 0.1.0 */
export type SendResult =
  | {
      ok: true;
      accepted: string[];
      rejected: RecipientRejection[];
      /** The final reply to the data (for LMTP: the first accepted recipient's). */
      reply: Reply;
    }
  | {
      ok: false;
      error: SmtpError;
      accepted: string[];
      rejected: RecipientRejection[];
      /** Whether any byte of the body reached the wire (a retry could then duplicate the message). */
      dataSent: boolean;
    };

/**
 * What the engine asks its driver to do.
 *
 * - `upgrade-tls`: start the TLS handshake on the same connection, then call `tlsEstablished`.
 * - `ready`: the session is established (greeting, EHLO, STARTTLS, AUTH done) and idle.
 * - `need-body`: stream the body of job `id` with `bodyChunk`, then `bodyEnd`.
 * - `need-token`: the server refused the access token; answer with `tokenRefreshed` (only
 *   with `refreshableToken`, at most once per session).
 * - `result`: job `id` is finished.
 * - `close`: close the connection; `error` says why when it was not a clean QUIT.
 *
 * @since 0.1.0
 */
export type Action =
  | { type: "upgrade-tls"; servername: string }
  | { type: "ready"; capabilities: Capabilities }
  | { type: "need-body"; id: JobId }
  | { type: "need-token" }
  | { type: "result"; id: JobId; result: SendResult }
  | { type: "close"; reason: "quit" | "error" | "timeout" | "eof"; error?: SmtpError };

/**
 * The driving contract of {@link Session}: the inputs a driver feeds it and the outputs it
 * drains after every input (`pollTransmit`, then `pollAction`, then `pollTimeout`). Code that
 * drives an engine (the client's loop, the replay runner) depends on this interface, so it
 * can be tested against a scripted fake.
 *
 * @since 0.1.0
 */
export interface SessionApi {
  connected(now: number): void;
  receiveData(chunk: Uint8Array, now: number): void;
  receiveEof(now: number): void;
  tlsEstablished(now: number): void;
  /** The answer to `need-token`: a fresh access token, or why none could be had. */
  tokenRefreshed(token: string | SmtpError, now: number): void;
  handleTimeout(now: number): void;
  transportFailed(error: SmtpError, now: number): void;
  send(job: SendJob, now: number): JobId;
  bodyChunk(id: JobId, chunk: Uint8Array, now: number): void;
  bodyEnd(id: JobId, now: number): void;
  noop(now: number): void;
  quit(now: number): void;
  pollTransmit(): Uint8Array | null;
  pollAction(): Action | null;
  pollTimeout(): number | null;
  readonly state: string;
  readonly capabilities: Capabilities | undefined;
  readonly idle: boolean;
}

export type { TimeoutPhase };
