import type { RecipientRejection, SmtpError, TimeoutPhase } from "./errors.ts";
import type { Capabilities, Reply } from "./reply-types.ts";
import type { AuthMethod } from "./sasl/auth-methods.ts";

/** How STARTTLS is used on a plaintext connection. @since 0.1.0 */
export type StartTlsPolicy = "required" | "opportunistic" | "never";

export type { AuthMethod } from "./sasl/auth-methods.ts";

/** Credentials: a password, or an OAuth 2 access token (XOAUTH2, OAUTHBEARER). @since 0.1.0 */
export type Credentials =
  | {
      /** The user name (authentication identity). */
      user: string;
      /** The password. */
      pass: string;
      /** Force this mechanism; default: the first both sides support (`chooseMechanism`). */
      method?: AuthMethod;
    }
  | {
      /** The mailbox the token was issued for. */
      user: string;
      /** The OAuth 2 access token (XOAUTH2, OAUTHBEARER). */
      accessToken: string;
      /** Force XOAUTH2 or OAUTHBEARER; default: XOAUTH2 when offered. */
      method?: AuthMethod;
    };

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
  /** The line without its CRLF; AUTH payloads replaced by a redaction marker. */
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
  /** Credentials for AUTH; none: no AUTH. */
  auth?: Credentials;
  /** Allow AUTH over a connection without TLS. Default false. */
  allowInsecureAuth?: boolean;
  /** The caller declares the peer a loopback address: cleartext AUTH is then allowed. */
  peerIsLoopback?: boolean;
  /** Deadlines per phase in milliseconds; see `DEFAULT_TIMEOUTS`. */
  timeouts?: Partial<Timeouts>;
  /** Bounds on what the server can make the engine buffer; see `DEFAULT_LIMITS`. */
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
  /**
   * What {@link SessionApi.pollTransmit} joins (command lines, small body chunks) is written
   * into one buffer the session keeps and reuses (up to 64 KiB, `LENT_OUTPUT_LIMIT` in
   * `@smtp/core/internal`; more goes into a new array): the bytes returned are lent, valid
   * only until the next
   * `pollTransmit()` call. For a driver that writes each chunk, and waits until the
   * transport no longer needs it, before it polls again (as `@smtp/client`'s does). Small
   * DATA body chunks (encoded, or copied) also wait in a second reused buffer until they
   * are joined (up to 128 KiB and 2 octets, `STAGING_LIMIT`). Both buffers start at 4 KiB,
   * grow only as far as the output needs, and live as long as the session. It saves new
   * arrays for every message, fresh memory each time. Default false: every chunk returned
   * is the caller's to keep.
   *
   * @since 0.3.0
   */
  lendOutput?: boolean;
}

/** DSN options (RFC 3461) for one message. @since 0.1.0 */
export interface DsnOptions {
  /** RET: return the full message (`FULL`) or only its headers (`HDRS`) in a bounce. */
  ret?: "FULL" | "HDRS";
  /** ENVID: an identifier echoed in the notifications (xtext-encoded on the wire). */
  envid?: string;
  /** NOTIFY for every recipient: when to send a notification, or `NEVER`. */
  notify?: ("SUCCESS" | "FAILURE" | "DELAY")[] | "NEVER";
  /** Whether to send ORCPT=rfc822;<address> with each recipient. */
  orcpt?: boolean;
}

/** One message to deliver: its envelope and what the body needs. @since 0.1.0 */
export interface SendJob {
  /** Envelope sender; "" for the null reverse-path. */
  from: string;
  /** Envelope recipients (RCPT TO), in order. */
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
  /** DSN parameters (RFC 3461), sent when the server offers DSN. */
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
      /** Delivered: the server accepted the message for at least one recipient. */
      ok: true;
      /** Recipients the server accepted. */
      accepted: string[];
      /** Recipients the server refused, with its reply. */
      rejected: RecipientRejection[];
      /** The final reply to the data (for LMTP: the first accepted recipient's). */
      reply: Reply;
    }
  | {
      /** Not delivered. */
      ok: false;
      /** Why. */
      error: SmtpError;
      /** Recipients accepted before the failure (none of them got the message). */
      accepted: string[];
      /** Recipients the server refused, with its reply. */
      rejected: RecipientRejection[];
      /**
       * Whether any byte of the body was written. A server never keeps a message whose end of
       * data it did not get, so this alone does not forbid a retry: a job whose end of data
       * went out unanswered fails with detail `maybe-delivered` instead.
       */
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
  | {
      /** Start TLS on the same connection. */
      type: "upgrade-tls";
      /** The name to send as SNI and verify the certificate against. */
      servername: string;
    }
  | {
      /** The session is established and idle. */
      type: "ready";
      /** The server's capabilities after EHLO (after STARTTLS, when used). */
      capabilities: Capabilities;
    }
  | {
      /** Stream the body of a job. */
      type: "need-body";
      /** The job whose body is wanted. */
      id: JobId;
    }
  | {
      /** The server refused the access token: answer with `tokenRefreshed`. */
      type: "need-token";
    }
  | {
      /** A job is finished. */
      type: "result";
      /** The finished job. */
      id: JobId;
      /** How it ended. */
      result: SendResult;
    }
  | {
      /** Close the connection. */
      type: "close";
      /** `quit` after a clean QUIT; `error`, `timeout` or `eof` otherwise. */
      reason: "quit" | "error" | "timeout" | "eof";
      /** Why, when it was not a clean QUIT. */
      error?: SmtpError;
    };

/**
 * The driving contract of {@link Session}: the inputs a driver feeds it and the outputs it
 * drains. The polling contract, the one rule every driver follows (the client's loop, the
 * replay runner, the fault injector):
 *
 * 1. After every input (`connected`, `receiveData`, `receiveEof`, `tlsEstablished`,
 *    `tokenRefreshed`, `handleTimeout`, `transportFailed`, `send`, `bodyChunk`, `bodyEnd`,
 *    `noop`, `quit`), drain: write every chunk `pollTransmit()` returns until it returns
 *    `null`, then take one `pollAction()` and handle it (handling it is itself an input:
 *    `need-body` → `bodyChunk`/`bodyEnd`, `upgrade-tls` → the handshake then
 *    `tlsEstablished`, `need-token` → `tokenRefreshed`); repeat until `pollAction()` returns
 *    `null` with nothing left to write. Writing before taking the next action matters: an
 *    action's handling may queue more bytes, and a reply may be awaited for bytes still
 *    unwritten.
 * 2. Only then wait for the server, no later than `pollTimeout()` (`null`: nothing is
 *    awaited); when it passes, call `handleTimeout(now)`.
 * 3. After a `close` action nothing more comes out: close (or destroy) the transport.
 *
 * Code that drives an engine depends on this interface, so it can be tested against a
 * scripted fake. `drainSession` in `@smtp/core/internal` is step 1 for synchronous drivers.
 *
 * @since 0.1.0
 */
export interface SessionApi {
  /** The transport is open (already TLS when `secure`): the greeting deadline starts. */
  connected(now: number): void;
  /** Bytes from the server, in any chunking. */
  receiveData(chunk: Uint8Array, now: number): void;
  /** The server closed the connection. */
  receiveEof(now: number): void;
  /** The TLS handshake asked for by `upgrade-tls` succeeded. */
  tlsEstablished(now: number): void;
  /** The answer to `need-token`: a fresh access token, or why none could be had. */
  tokenRefreshed(token: string | SmtpError, now: number): void;
  /** Call when `now` has reached {@link SessionApi.pollTimeout}. */
  handleTimeout(now: number): void;
  /** The transport failed or the caller aborted: every open job fails with `error`. */
  transportFailed(error: SmtpError, now: number): void;
  /** Queues a message; its outcome comes as a `result` action with the returned id. */
  send(job: SendJob, now: number): JobId;
  /** The next piece of job `id`'s body, after a `need-body` action. */
  bodyChunk(id: JobId, chunk: Uint8Array, now: number): void;
  /** The end of job `id`'s body. */
  bodyEnd(id: JobId, now: number): void;
  /** Sends NOOP when idle (a liveness probe). */
  noop(now: number): void;
  /** QUIT once the queued jobs are finished. */
  quit(now: number): void;
  /**
   * The next bytes to write, or `null` when there are none. With `lendOutput`, valid only
   * until the next call.
   */
  pollTransmit(): Uint8Array | null;
  /** The next action for the driver, or `null` when there is none. */
  pollAction(): Action | null;
  /** The next deadline (same clock as `now`), or `null` when nothing is awaited. */
  pollTimeout(): number | null;
  /** The session's state, for diagnostics. */
  readonly state: string;
  /** The server's capabilities, once known. */
  readonly capabilities: Capabilities | undefined;
  /** Whether the session is ready with nothing queued or in flight. */
  readonly idle: boolean;
}

export type { TimeoutPhase };
