import type { AuthMethod, StartTlsPolicy, TranscriptEntry } from "@smtp/core";
import type { Connector } from "@smtp/core/transport-kit";
import type { DkimOptions } from "@smtp/dkim";
import type { ProxyWrapper } from "@smtp/proxy";

/**
 * TLS settings passed to the transport: trust anchors, a client certificate, and the
 * verification policy. Certificates are always verified unless `rejectUnauthorized`
 * is explicitly `false`.
 *
 * @since 0.1.0
 */
export interface ClientTlsOptions {
  /**
   * Trusted CA certificates (PEM). On Node.js and Bun they replace the runtime's default
   * list; on Deno they are added to Deno's default roots (Deno cannot drop those per
   * connection), and an entry that is not a PEM certificate is refused.
   */
  ca?: string | Uint8Array | (string | Uint8Array)[];
  /**
   * Client certificate chain (PEM), with `key`. On Deno only with implicit TLS (`secure`)
   * and a `servername` equal to the host, since `Deno.startTls` cannot send one; other
   * combinations are refused.
   */
  cert?: string | Uint8Array | (string | Uint8Array)[];
  /** Client private key (PEM). */
  key?: string | Uint8Array | (string | Uint8Array)[];
  /** Client certificate and key as PKCS#12. */
  pfx?: string | Uint8Array;
  /** Passphrase of `key` or `pfx`. */
  passphrase?: string;
  /** Verify the server's certificate. Default `true`. */
  rejectUnauthorized?: boolean;
  /** The name to verify the certificate against and send as SNI. Default: `host`. */
  servername?: string;
  /**
   * Lowest TLS version accepted, e.g. `"TLSv1.2"`. On Deno, which always accepts TLS 1.2
   * and 1.3, only `"TLSv1.2"` is allowed; any other value is refused.
   */
  minVersion?: "TLSv1" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3";
}

/**
 * Credentials for SMTP AUTH: a password, or an OAuth 2 access token (XOAUTH2).
 * `method` forces one mechanism; otherwise the strongest both sides support is used.
 *
 * @since 0.1.0
 */
export type ClientAuth =
  | {
      /** The user name, usually the mailbox address. */
      user: string;
      /** The password (for Gmail, an app password). */
      pass: string;
      /** Force this SASL mechanism (PLAIN, LOGIN, CRAM-MD5, SCRAM-SHA-256); default: the best offered (SCRAM-SHA-256, then PLAIN over TLS or CRAM-MD5 without). */
      method?: AuthMethod;
    }
  | {
      /** The mailbox the token was issued for. */
      user: string;
      /** An OAuth 2 access token, or a function returning a fresh one for each connection. */
      accessToken: string | AccessTokenProvider;
      /** Force XOAUTH2 or OAUTHBEARER; default: XOAUTH2 when offered, else OAUTHBEARER. */
      method?: AuthMethod;
    };

/**
 * Returns an OAuth 2 access token; called before each new connection, so a pool keeps
 * working after tokens expire. When the server refuses the token (XOAUTH2 or OAUTHBEARER
 * answered with 535), it is called again with `{ expired: true }` (do not return a cached
 * token then) and AUTH is retried once on the same connection; a second refusal is kind
 * `auth`. If it throws, the send fails with kind `auth` (the thrown error as `cause`).
 * {@link oauth2RefreshToken} makes one from a refresh token.
 *
 * @since 0.1.0
 */
export type AccessTokenProvider = (context: { expired: boolean }) => string | Promise<string>;

/** Deadlines in milliseconds. @since 0.1.0 */
export interface ClientTimeouts {
  /** Opening the connection, including the implicit-TLS handshake. Default 30 000. */
  connect?: number;
  /** Waiting for the server's 220 greeting. Default 30 000. */
  greeting?: number;
  /** Waiting for each command's reply (EHLO, STARTTLS, AUTH, MAIL, RCPT, …). Default 60 000. */
  command?: number;
  /** Body transfer: no progress while writing, and the reply to the end of data. Default 600 000. */
  data?: number;
}

/** Connection pooling. @since 0.1.0 */
export interface ClientPoolOptions {
  /** Connections open in parallel. Default 5. */
  maxConnections?: number;
  /** Messages per connection before it is replaced by a fresh one. Default 100. */
  maxMessages?: number;
  /**
   * Messages one connection keeps in flight at once: handed to the server (or queued on
   * the connection behind those that are) and not yet answered. A server that offers
   * CHUNKING and PIPELINING takes each message in one write (MAIL, RCPT, `BDAT n LAST` and
   * its bytes) behind the previous ones without waiting for their replies, so over a long
   * round trip a wider window carries more messages per round trip. Without CHUNKING only
   * one message can be past its DATA at a time, and at most 4 are in flight whatever this
   * says. Default 32.
   *
   * @since 0.2.0
   */
  maxInFlight?: number;
  /**
   * The byte bound of that window: a busy connection takes another message only while the
   * messages it carries, this one included, add up to at most this many octets (a message
   * whose size is not known ahead, such as one with stream content, only when the
   * connection is idle). Large messages then go over several connections, or wait, rather
   * than queue behind each other where pipelining gains them nothing. Default 1 048 576
   * (1 MiB).
   *
   * @since 0.2.0
   */
  maxInFlightBytes?: number;
  /** Milliseconds an unused connection stays open before QUIT. Default 5 000. */
  idleTimeout?: number;
  /**
   * A connection unused for this many milliseconds is checked with NOOP before its next
   * message (a dead one is replaced before any byte of the message is sent). Default 10 000.
   */
  noopAfterIdle?: number;
  /** At most `messages` messages started per `interval` milliseconds, across the pool. */
  rateLimit?: {
    /** Messages started per interval, at most. */
    messages: number;
    /** The interval in milliseconds. */
    interval: number;
  };
}

/** One line of the conversation given to the `transcript` callback. @since 0.1.0 */
export interface ClientTranscriptEntry extends TranscriptEntry {
  /** Which connection of this client the line belongs to, counted from 1. */
  connection: number;
}

/**
 * One DKIM signature: `@smtp/dkim`'s options (nodemailer's names: `domainName`,
 * `keySelector`, `privateKey`, plus `algorithm`, `headerFieldNames`, `skipFields`,
 * `canonicalization`, `expiresIn`), and `spool`.
 *
 * @since 0.1.0
 */
export interface ClientDkimSignature extends DkimOptions {
  /**
   * A folder for a temporary copy of a message whose content can be read only once (an
   * attachment given as a stream). Signing reads the message twice (the body hash, then the
   * send), so without `spool` such a message is refused with `invalid-input`; with it, the
   * first pass also writes the message to a file there (mode 0600), the send reads it back,
   * and the file is deleted when the send is over. In an array, give it once (or the same
   * folder everywhere).
   */
  spool?: string;
}

/**
 * DKIM signing: one signature, or several side by side (e.g. RSA and Ed25519).
 *
 * @since 0.1.0
 */
export type ClientDkimOptions = ClientDkimSignature | readonly ClientDkimSignature[];

/**
 * Options of {@link createClient}.
 *
 * @since 0.1.0
 */
export interface ClientOptions {
  /**
   * A connection URL: `smtp://user:pass@host:port?key=value` (STARTTLS) or `smtps://…`
   * (implicit TLS). User and password are percent-decoded; query keys set options
   * (`starttls`, `secure`, `name`, `lmtp`, `allowInsecureAuth`, `debug`, `pool`,
   * `pool.maxConnections`, `pool.maxMessages`, `pool.maxInFlight`, `pool.maxInFlightBytes`,
   * `pool.idleTimeout`, `pool.noopAfterIdle`,
   * `timeouts.connect|greeting|command|data`, `tls.servername`, `tls.rejectUnauthorized`,
   * `tls.minVersion`, `auth.method`, `proxy`); unknown keys are refused. Options given next to it
   * win (`tls`, `auth`, `pool` and `timeouts` merge key by key).
   *
   * @since 0.1.0
   */
  url?: string;
  /**
   * A well-known provider, for its host, port and TLS mode: `gmail`, `outlook` (Outlook.com),
   * `office365` (Microsoft 365), `icloud`, `ses` / `ses-<region>` (Amazon SES), `mailgun`,
   * `mailgun-eu`, `sendgrid`, `postmark`, `zoho`, `zoho-eu`, `fastmail`, `yahoo`. Options
   * given explicitly (or by `url`) win; a `port` alone picks its own TLS mode.
   *
   * @since 0.1.0
   */
  service?: string;
  /** The server's host name or IP address. Required, unless `url` or `service` gives it. */
  host?: string;
  /**
   * Default 587, or 465 when `secure` is true. Port 465 means implicit TLS (`secure: true`)
   * unless `secure: false` is given explicitly.
   */
  port?: number;
  /** Implicit TLS: TLS from the first byte (port 465). */
  secure?: boolean;
  /** STARTTLS policy on a plaintext connection. Default `"required"`; `"opportunistic"` to a loopback host. */
  starttls?: StartTlsPolicy;
  /**
   * TLS settings for the default transport. With a custom `transport` they are ignored
   * (that connector brings its own TLS settings), except `servername`, which is still
   * given to the connector's `startTls`.
   */
  tls?: ClientTlsOptions;
  /** Credentials for SMTP AUTH; none by default (a relay that trusts your address needs none). */
  auth?: ClientAuth;
  /** Allow AUTH without TLS to a non-loopback host. Default false. */
  allowInsecureAuth?: boolean;
  /**
   * EHLO name. Default: the host name (`os.hostname()`, `Deno.hostname()` on Deno) when it
   * is fully qualified, else the address literal of the local socket (`[192.0.2.1]`). No
   * DNS lookup is made.
   */
  name?: string;
  /** Deadlines of each phase, in milliseconds; a silent server fails with kind `timeout`. */
  timeouts?: ClientTimeouts;
  /** Pooling, or `false` (the default): one connection per message, closed before `send` resolves. */
  pool?: ClientPoolOptions | boolean;
  /** Speak LMTP (RFC 2033) instead of SMTP: LHLO, and one reply per recipient after the data. */
  lmtp?: boolean;
  /**
   * Opens connections. Default: the Node.js transport (Node and Bun), the Deno transport on
   * Deno. A custom connector is used as it is: `tls` (but `servername`) is not applied to it.
   */
  transport?: Connector;
  /** Receives each line of the conversation, credentials redacted. */
  transcript?: (entry: ClientTranscriptEntry) => void;
  /** Print the conversation (redacted) to stderr. */
  debug?: boolean;
  /**
   * Sign every message with DKIM (RFC 6376; Ed25519 per RFC 8463). Checked here: a bad key,
   * domain or selector throws `invalid-input` before any connection. `send(message, { dkim })`
   * replaces it for one message.
   */
  dkim?: ClientDkimOptions;
  /**
   * Connect through a proxy: a URL, `"socks5://user:pass@host:1080"` (SOCKS5, the proxy
   * resolving the mail server's name) or `"http://user:pass@host:3128"` (HTTP CONNECT), user
   * and password percent-encoded; or a proxy from `@smtp/proxy` (`socksProxy`,
   * `httpProxy`). It wraps the default transport, or `transport` when given. TLS with the
   * mail server runs inside the tunnel and is verified against the mail server's name.
   * Failures are kind `connection` with detail `proxy-unreachable`, `proxy-auth` or
   * `proxy-refused`; the proxy's password never appears in an error or a transcript.
   * A loopback `host` counts as loopback (for the STARTTLS and AUTH defaults) only when the
   * proxy is on loopback too.
   */
  proxy?: string | ProxyWrapper;
}
