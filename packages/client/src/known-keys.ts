import type { DsnOptions } from "@smtp/core";
import type {
  AlternativeInput,
  AttachmentInput,
  IcalEventInput,
  ListInput,
  MessageInput,
} from "@smtp/mime";
import type { SendOptions } from "./client.ts";
import type {
  ClientAuth,
  ClientOptions,
  ClientPoolOptions,
  ClientTimeouts,
  ClientTlsOptions,
} from "./options.ts";

// The keys we understand in every object a caller hands us, one table per object, and for
// the keys nodemailer users write, what to write instead. A key in no table is refused with
// `invalid-input`, so that a misspelt or foreign option is never silently ignored.
//
// Adding an option is one line here: `KNOWN`, or `nested(TABLE)` / `each(TABLE)` for an
// object (array of objects) whose own keys are checked too. The compile-time checks at the
// end of the file fail when an interface gains a key that its table does not mark known.

/** How one key is treated. @since 0.1.0 */
export type KeyRule =
  | typeof KNOWN
  | { readonly table: KeyTable; readonly each: boolean }
  | { readonly use: string }
  | { readonly unsupported: string; readonly yet: boolean };

/** The keys of one object. @since 0.1.0 */
export type KeyTable = Readonly<Record<string, KeyRule>>;

/** A key we understand, whose value is checked by the option's own validation. */
export const KNOWN = true;
/** A key whose value, when an object, has its own table. */
const nested = (table: KeyTable) => ({ table, each: false }) as const;
/** A key whose value, when an array, holds objects of one table. */
const each = (table: KeyTable) => ({ table, each: true }) as const;
/** A foreign key (nodemailer's) that has an equivalent here: `use` says what to write. */
const use = (instead: string) => ({ use: instead }) as const;
/** A foreign key we do not support yet (planned), with the workaround. */
const notYet = (workaround: string) => ({ unsupported: workaround, yet: true }) as const;
/** A foreign key we will not support, with the workaround. */
const never = (workaround: string) => ({ unsupported: workaround, yet: false }) as const;

const ACCESS_TOKEN_FUNCTION =
  "pass a function as `auth.accessToken` that returns a fresh access token for each connection";
const REFRESH_TOKEN_PROVIDER =
  "`accessToken: oauth2RefreshToken({ tokenUrl, clientId, clientSecret, refreshToken })`";
const CHECK_PATHS = "every `path` is read: check or remove `path` fields before `send`";
const BUILD_WITH_MIME =
  "build the message with `createMessage` from `@smtp/mime` and read `message.stream()`";
const USE_TRANSCRIPT = "use `transcript` (a callback for each line) or `debug: true`";
const CUSTOM_CONNECTOR = "pass a `transport` (a `Connector`) that opens the connection your way";

/** `tls` of {@link ClientOptions}. */
export const TLS_KEYS = {
  ca: KNOWN,
  cert: KNOWN,
  key: KNOWN,
  pfx: KNOWN,
  passphrase: KNOWN,
  rejectUnauthorized: KNOWN,
  servername: KNOWN,
  minVersion: KNOWN,
  maxVersion: notYet("leave it unset: the runtime negotiates the highest version both support"),
  ciphers: notYet("use `transport: nodeConnector({ tls })` from @smtp/transport-node"),
  secureProtocol: use('`tls.minVersion` (e.g. "TLSv1.2")'),
  checkServerIdentity: never("give the server's name in `tls.servername`, its CA in `tls.ca`"),
} satisfies KeyTable;

/** `auth` of {@link ClientOptions}. */
export const AUTH_KEYS = {
  user: KNOWN,
  pass: KNOWN,
  accessToken: KNOWN,
  method: KNOWN,
  username: use("`auth.user`"),
  password: use("`auth.pass`"),
  type: use("`pass` (a password) or `accessToken` (OAuth 2): the kind follows from which is set"),
  clientId: use(REFRESH_TOKEN_PROVIDER),
  clientSecret: use(REFRESH_TOKEN_PROVIDER),
  refreshToken: use(REFRESH_TOKEN_PROVIDER),
  accessUrl: use(REFRESH_TOKEN_PROVIDER),
  expires: notYet(ACCESS_TOKEN_FUNCTION),
  timeout: notYet(ACCESS_TOKEN_FUNCTION),
  privateKey: notYet(ACCESS_TOKEN_FUNCTION),
  serviceClient: notYet(ACCESS_TOKEN_FUNCTION),
  provisionCallback: use("a function as `auth.accessToken`"),
  oauth2: use("a function as `auth.accessToken`"),
  credentials: use("`auth.user` and `auth.pass`"),
  options: never("custom SASL handlers are not supported: `auth.method` picks a built-in one"),
} satisfies KeyTable;

/** `timeouts` of {@link ClientOptions}. */
export const TIMEOUT_KEYS = {
  connect: KNOWN,
  greeting: KNOWN,
  command: KNOWN,
  data: KNOWN,
  socket: use("`timeouts.command` (each reply) and `timeouts.data` (the message body)"),
  connection: use("`timeouts.connect`"),
  dns: use("`timeouts.connect`, which includes the DNS lookup"),
  idle: use("`pool.idleTimeout`"),
} satisfies KeyTable;

/** `pool.rateLimit` of {@link ClientOptions}. */
export const RATE_LIMIT_KEYS = {
  messages: KNOWN,
  interval: KNOWN,
} satisfies KeyTable;

/** `pool` of {@link ClientOptions}. */
export const POOL_KEYS = {
  maxConnections: KNOWN,
  maxMessages: KNOWN,
  maxInFlight: KNOWN,
  maxInFlightBytes: KNOWN,
  idleTimeout: KNOWN,
  noopAfterIdle: KNOWN,
  rateLimit: nested(RATE_LIMIT_KEYS),
  rateDelta: use("`pool.rateLimit: { messages, interval }`"),
  maxRequeues: never(
    "a message is retried on a new connection (at most 3 tries) only when none of its data was sent",
  ),
} satisfies KeyTable;

/** The options of `createClient`. */
export const CLIENT_OPTION_KEYS = {
  host: KNOWN,
  port: KNOWN,
  secure: KNOWN,
  starttls: KNOWN,
  tls: nested(TLS_KEYS),
  auth: nested(AUTH_KEYS),
  allowInsecureAuth: KNOWN,
  name: KNOWN,
  timeouts: nested(TIMEOUT_KEYS),
  pool: nested(POOL_KEYS),
  lmtp: KNOWN,
  transport: KNOWN,
  transcript: KNOWN,
  debug: KNOWN,
  // nodemailer's SMTP and pooled SMTP transport options
  url: KNOWN,
  service: KNOWN,
  requireTLS: use('`starttls: "required"` (the default to any host but loopback)'),
  ignoreTLS: use('`starttls: "never"`'),
  opportunisticTLS: use('`starttls: "opportunistic"`'),
  secured: use("a `transport` whose connector returns the already-secured connection"),
  servername: use("`tls.servername`"),
  localAddress: use("`transport: nodeConnector({ localAddress })` from @smtp/transport-node"),
  connectionTimeout: use("`timeouts.connect`"),
  greetingTimeout: use("`timeouts.greeting`"),
  socketTimeout: use("`timeouts.command` (each reply) and `timeouts.data` (the message body)"),
  socketCloseTimeout: use("`timeouts.command`, which also bounds QUIT"),
  dnsTimeout: use("`timeouts.connect`, which includes the DNS lookup"),
  maxResponseSize: never("replies are always bounded (line length, line count)"),
  logger: use(USE_TRANSCRIPT),
  transactionLog: use(USE_TRANSCRIPT),
  component: use(USE_TRANSCRIPT),
  socket: use(CUSTOM_CONNECTOR),
  connection: use(CUSTOM_CONNECTOR),
  getSocket: use(CUSTOM_CONNECTOR),
  allowInternalNetworkInterfaces: never("address families are left to the runtime"),
  customAuth: never("custom SASL handlers are not supported: `auth.method` picks a built-in one"),
  forceAuth: never("with `auth` set, AUTH is always done; `auth.method` forces a mechanism"),
  authMethod: use("`auth.method`"),
  maxConnections: use("`pool: { maxConnections }`"),
  maxMessages: use("`pool: { maxMessages }`"),
  rateLimit: use("`pool: { rateLimit: { messages, interval } }`"),
  rateDelta: use("`pool: { rateLimit: { messages, interval } }`"),
  maxRequeues: never(
    "a message is retried on a new connection (at most 3 tries) only when none of its data was sent",
  ),
  idleTimeout: use("`pool: { idleTimeout }`"),
  dkim: KNOWN,
  proxy: KNOWN,
  disableFileAccess: notYet(CHECK_PATHS),
  disableUrlAccess: never("no message content is ever fetched from URLs"),
  normalizeHeaderKey: never("header names are written as given in `headers`"),
  maxRecipients: never("check the recipient count before `send`"),
  attachDataUrls: never("turn data: URLs into attachments with a `cid` yourself"),
  // nodemailer's other transports
  sendmail: never('send over SMTP to the local MTA instead: `{ host: "localhost", port: 25 }`'),
  path: never('send over SMTP to the local MTA instead: `{ host: "localhost", port: 25 }`'),
  args: never('send over SMTP to the local MTA instead: `{ host: "localhost", port: 25 }`'),
  newline: never("messages always use CRLF line ends"),
  SES: never("use SES's SMTP endpoint (email-smtp.<region>.amazonaws.com) with SMTP credentials"),
  streamTransport: never(BUILD_WITH_MIME),
  buffer: never(BUILD_WITH_MIME),
  jsonTransport: never(BUILD_WITH_MIME),
  skipEncoding: never(BUILD_WITH_MIME),
} satisfies KeyTable;

/** One entry of `attachments` in a message. */
export const ATTACHMENT_KEYS = {
  filename: KNOWN,
  content: KNOWN,
  contentType: KNOWN,
  cid: KNOWN,
  disposition: KNOWN,
  size: KNOWN,
  path: KNOWN,
  encoding: KNOWN,
  href: never("fetch the URL yourself and pass the bytes or a stream as `content`"),
  httpHeaders: never("fetch the URL yourself and pass the bytes or a stream as `content`"),
  raw: never("pass the part's content as `content` with its `contentType`"),
  contentDisposition: use('`disposition` ("attachment" or "inline")'),
  contentTransferEncoding: never(
    "the transfer encoding is chosen for you (base64 or quoted-printable)",
  ),
  headers: never("per-attachment headers are not supported"),
  tls: never("fetch the URL yourself and pass the bytes or a stream as `content`"),
} satisfies KeyTable;

/** `envelope` of a message. */
export const ENVELOPE_KEYS = {
  from: KNOWN,
  to: KNOWN,
  cc: use("`envelope.to`, which lists every recipient (to, cc and bcc alike)"),
  bcc: use("`envelope.to`, which lists every recipient (to, cc and bcc alike)"),
  size: never("the size is computed from the message and sent when the server offers SIZE"),
  dsn: use("`dsn` in send's options: `client.send(message, { dsn })`"),
  use8BitMime: never("messages are always written 7-bit safe"),
  requireTLSExtensionEnabled: use("send's options: `client.send(message, { requireTls: true })`"),
} satisfies KeyTable;

/** One entry of `alternatives` in a message. */
export const ALTERNATIVE_KEYS = {
  contentType: KNOWN,
  content: KNOWN,
  path: KNOWN,
  encoding: KNOWN,
  size: KNOWN,
  href: never("fetch the URL yourself and pass the bytes or a stream as `content`"),
  filename: never("an alternative body has no file name; use `attachments` for a file"),
} satisfies KeyTable;

/** `icalEvent` of a message. */
export const ICAL_EVENT_KEYS = {
  method: KNOWN,
  content: KNOWN,
  path: KNOWN,
  filename: KNOWN,
  encoding: KNOWN,
  href: never("fetch the URL yourself and pass the text as `content`"),
} satisfies KeyTable;

/** `list` of a message. */
export const LIST_KEYS = {
  help: KNOWN,
  unsubscribe: KNOWN,
  subscribe: KNOWN,
  post: KNOWN,
  owner: KNOWN,
  archive: KNOWN,
  id: KNOWN,
  oneClick: KNOWN,
} satisfies KeyTable;

/** A message given to `send`. */
export const MESSAGE_KEYS = {
  from: KNOWN,
  sender: KNOWN,
  to: KNOWN,
  cc: KNOWN,
  bcc: KNOWN,
  replyTo: KNOWN,
  inReplyTo: KNOWN,
  references: KNOWN,
  subject: KNOWN,
  text: KNOWN,
  html: KNOWN,
  attachments: each(ATTACHMENT_KEYS),
  headers: KNOWN,
  priority: KNOWN,
  date: KNOWN,
  messageId: KNOWN,
  envelope: nested(ENVELOPE_KEYS),
  // nodemailer's message options
  raw: KNOWN,
  icalEvent: nested(ICAL_EVENT_KEYS),
  alternatives: each(ALTERNATIVE_KEYS),
  list: nested(LIST_KEYS),
  textEncoding: KNOWN,
  watchHtml: never("give `text` and `html`"),
  amp: use('`alternatives: [{ contentType: "text/x-amp-html", content }]`'),
  otp: never("write the header in `headers`"),
  encoding: never("the transfer encoding is chosen for you (quoted-printable or base64)"),
  disableUrlAccess: never("no message content is ever fetched from URLs"),
  disableFileAccess: notYet(CHECK_PATHS),
  attachDataUrls: never("turn data: URLs into attachments with a `cid` yourself"),
  boundaryPrefix: never("boundaries are drawn at random"),
  baseBoundary: never("boundaries are drawn at random"),
  newline: never("messages always use CRLF line ends"),
  normalizeHeaderKey: never("header names are written as given in `headers`"),
  xMailer: use('`headers: { "X-Mailer": "…" }` (none is written by default)'),
  dkim: use("send's options: `client.send(message, { dkim })`"),
  maxRecipients: never("check the recipient count before `send`"),
  auth: never("one client per account: `createClient({ …, auth })`"),
  ses: never("use SES's SMTP endpoint with SMTP credentials"),
  signal: use("send's options: `client.send(message, { signal })`"),
  dsn: use("send's options: `client.send(message, { dsn })`"),
  requireTLSExtensionEnabled: use("send's options: `client.send(message, { requireTls: true })`"),
} satisfies KeyTable;

/** `dsn` of the send options. */
export const DSN_KEYS = {
  ret: KNOWN,
  envid: KNOWN,
  notify: KNOWN,
  orcpt: KNOWN,
  return: use("`dsn.ret`"),
  id: use("`dsn.envid`"),
  recipient: use("`dsn.orcpt: true` (ORCPT is each recipient's own address)"),
} satisfies KeyTable;

/** The options of `send`. */
export const SEND_OPTION_KEYS = {
  signal: KNOWN,
  dsn: nested(DSN_KEYS),
  requireAllRecipients: KNOWN,
  dkim: KNOWN,
  requireTls: KNOWN,
} satisfies KeyTable;

/** The options of `verify`. */
export const VERIFY_OPTION_KEYS = {
  signal: KNOWN,
} satisfies KeyTable;

// ---------------------------------------------------------------------------------------
// Compile-time: every key of each interface is KNOWN in its table (a key added to an
// interface but not here fails the type-check, naming it).

type KnownIn<T extends KeyTable> = {
  [K in keyof T]: T[K] extends { use: string } | { unsupported: string } ? never : K;
}[keyof T];
type KeysOfUnion<I> = I extends unknown ? keyof I : never;
type Unlisted<I, T extends KeyTable> = Exclude<KeysOfUnion<I>, KnownIn<T>>;
type Check<I, T extends KeyTable> = [Unlisted<I, T>] extends [never] ? true : Unlisted<I, T>;
type AllListed<T extends true[]> = T;

/** Fails to compile, naming the key, when an interface has a key its table does not mark known. */
export type KeyTablesCoverTheTypes = AllListed<
  [
    Check<ClientOptions, typeof CLIENT_OPTION_KEYS>,
    Check<ClientTlsOptions, typeof TLS_KEYS>,
    Check<ClientAuth, typeof AUTH_KEYS>,
    Check<ClientTimeouts, typeof TIMEOUT_KEYS>,
    Check<ClientPoolOptions, typeof POOL_KEYS>,
    Check<NonNullable<ClientPoolOptions["rateLimit"]>, typeof RATE_LIMIT_KEYS>,
    Check<MessageInput, typeof MESSAGE_KEYS>,
    Check<AttachmentInput, typeof ATTACHMENT_KEYS>,
    Check<AlternativeInput, typeof ALTERNATIVE_KEYS>,
    Check<IcalEventInput, typeof ICAL_EVENT_KEYS>,
    Check<ListInput, typeof LIST_KEYS>,
    Check<NonNullable<MessageInput["envelope"]>, typeof ENVELOPE_KEYS>,
    Check<SendOptions, typeof SEND_OPTION_KEYS>,
    Check<DsnOptions, typeof DSN_KEYS>,
  ]
>;
