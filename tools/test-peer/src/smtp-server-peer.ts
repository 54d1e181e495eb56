import type { AddressInfo, Socket } from "node:net";
import type { SMTPServerAddress, SMTPServerOptions, SMTPServerSession } from "smtp-server";
import { SMTPServer } from "smtp-server";
import { SMTPConnection } from "smtp-server/lib/smtp-connection.js";
import { createTestCa, type TestCa } from "./test-ca.ts";
import { TEST_ACCESS_TOKEN, TEST_USERS } from "./users.ts";

/** What the peer captured of one accepted message. @since 0.1.0 */
export interface ReceivedMessage {
  /** MAIL FROM address ("" for the null sender). */
  from: string;
  /** Accepted RCPT TO addresses, in order. */
  to: string[];
  /** The authenticated user, if any. */
  user: string | undefined;
  /** Whether the session ran inside TLS. */
  secure: boolean;
  /** The message exactly as received (dot-unstuffed, CRLF line ends). */
  raw: Uint8Array;
  /** MAIL FROM parameters, e.g. `{ SIZE: "123", SMTPUTF8: true, BODY: "8BITMIME" }`. */
  mailParams: Record<string, string | boolean>;
  /** RCPT TO parameters per accepted recipient, in order. */
  rcptParams: Record<string, string | boolean>[];
  /** DSN parameters of the transaction (RET, ENVID), when given. */
  dsn: { ret: string | null; envid: string | null } | undefined;
  /** The peer connection's id, to tell which messages shared a connection. */
  sessionId: string;
}

/** How to start {@link startSmtpServerPeer}. @since 0.1.0 */
export interface SmtpServerPeerOptions {
  /** Loopback address to listen on. Default `127.0.0.1`. */
  host?: "127.0.0.1" | "::1";
  /** Port to listen on. Default 0: an ephemeral port, read it from {@link SmtpServerPeer.port}. */
  port?: number;
  /** `starttls` (plaintext, STARTTLS offered; the default), `implicit` (TLS from the first byte) or `none` (no TLS at all). */
  tls?: "starttls" | "implicit" | "none";
  /** Reuse a CA (e.g. to share it between peers); default: a new one. */
  ca?: TestCa;
  /** Accept mail without AUTH (only to the local domains). Default `true`. */
  authOptional?: boolean;
  /** AUTH mechanisms offered. Default PLAIN, LOGIN, CRAM-MD5, XOAUTH2. */
  authMethods?: ("PLAIN" | "LOGIN" | "CRAM-MD5" | "XOAUTH2")[];
  /** Offer AUTH before TLS. Default `true` (smtp-server's `allowInsecureAuth`). */
  allowInsecureAuth?: boolean;
  /** Advertised and enforced SIZE in bytes. Default 1 MiB. */
  size?: number;
  /** Delay before the greeting in ms. Default 0 (smtp-server normally waits 100 ms). */
  greetingDelay?: number;
  /** After this many messages on one connection, the next MAIL gets `421` and the connection closes. */
  maxMessagesPerConnection?: number;
  /** Called with each accepted message once it is in {@link SmtpServerPeer.received}. */
  onMessage?: (message: ReceivedMessage) => void;
  /**
   * A content rule: given a message's octets once its data is in, the reply that refuses it
   * (it is then neither recorded nor counted), or `undefined` to accept it.
   */
  refuseData?: (raw: Uint8Array) => { code: number; message: string } | undefined;
  /** Extra smtp-server options, applied last (e.g. `hidePIPELINING: true`). */
  serverOptions?: Partial<SMTPServerOptions>;
}

/** A running in-process smtp-server. @since 0.1.0 */
export interface SmtpServerPeer {
  host: string;
  port: number;
  /** The TLS mode it was started with. */
  tls: "starttls" | "implicit" | "none";
  /** The CA that issued its certificate: give `ca.caPem` to clients. */
  ca: TestCa;
  /** Every accepted message, in order. */
  received: ReceivedMessage[];
  /** Connections accepted so far. */
  connectionCount(): number;
  /** Connections open now. */
  openConnections(): number;
  /** The smtp-server instance, for anything else. */
  server: SMTPServer;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/** Local domains: mail to them is accepted without AUTH. */
const LOCAL_DOMAINS = new Set(["example.test", "catchall.test"]);

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

function params(address: SMTPServerAddress | false): Record<string, string | boolean> {
  if (address === false || !address.args) return {};
  return { ...(address.args as Record<string, string | boolean>) };
}

function userOf(session: SMTPServerSession): string | undefined {
  const user = session.user as unknown;
  return typeof user === "string" ? user : undefined;
}

/**
 * Starts smtp-server 3.21.6 in-process on a loopback address and an ephemeral port, with a
 * fresh test CA. Users: `user@example.test` / `password`, `utf8user@example.test` /
 * `pässwörd` (PLAIN, LOGIN, CRAM-MD5), and XOAUTH2 with {@link TEST_ACCESS_TOKEN}.
 * Recipients:
 * - `…@example.test` and `…@catchall.test`: accepted, also without AUTH;
 * - other domains: accepted after AUTH, else `554 Relay access denied`;
 * - `…@reject.test` and `no-such-user@…`: `550 5.1.1`; `full@example.test`: `452 4.2.2`.
 * SIZE is advertised and enforced (`552`), and PIPELINING, 8BITMIME, SMTPUTF8, DSN,
 * ENHANCEDSTATUSCODES and REQUIRETLS are offered. It has no CHUNKING.
 *
 * @since 0.1.0
 */
export async function startSmtpServerPeer(
  options: SmtpServerPeerOptions = {},
): Promise<SmtpServerPeer> {
  const host = options.host ?? "127.0.0.1";
  const mode = options.tls ?? "starttls";
  const ca = options.ca ?? (await createTestCa());
  const size = options.size ?? 1024 * 1024;
  const received: ReceivedMessage[] = [];
  const perSession = new Map<string, number>();
  let connections = 0;

  const server = new SMTPServer({
    key: ca.keyPem,
    cert: ca.fullchainPem,
    secure: mode === "implicit",
    hideSTARTTLS: mode !== "starttls",
    name: "localhost",
    banner: "smtp-server test peer",
    size,
    authMethods: options.authMethods ?? ["PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2"],
    authOptional: options.authOptional ?? true,
    allowInsecureAuth: options.allowInsecureAuth ?? true,
    disableReverseLookup: true,
    hideENHANCEDSTATUSCODES: false,
    hideDSN: false,
    hideREQUIRETLS: false,
    logger: false,
    closeTimeout: 100,
    onConnect(_session, callback) {
      connections++;
      callback();
    },
    onAuth(auth, _session, callback) {
      const username = auth.username ?? "";
      const password = TEST_USERS[username];
      if (auth.method === "XOAUTH2") {
        if (password !== undefined && auth.accessToken === TEST_ACCESS_TOKEN) {
          return callback(null, { user: username });
        }
        return callback(null, { data: { status: "401", schemes: "bearer", scope: "mail" } });
      }
      if (auth.method === "CRAM-MD5") {
        // validatePassword compares the HMAC; an unknown user gets a password nobody has.
        if (password !== undefined && auth.validatePassword?.(password)) {
          return callback(null, { user: username });
        }
      } else if (password !== undefined && auth.password === password) {
        return callback(null, { user: username });
      }
      return callback(smtpError(535, "Invalid username or password"));
    },
    onMailFrom(_address, session, callback) {
      const limit = options.maxMessagesPerConnection;
      if (limit !== undefined && (perSession.get(session.id) ?? 0) >= limit) {
        return callback(smtpError(421, "Too many messages on this connection, closing"));
      }
      callback();
    },
    onRcptTo(address, session, callback) {
      const rcpt = address.address.toLowerCase();
      const at = rcpt.lastIndexOf("@");
      const local = rcpt.slice(0, at);
      const domain = rcpt.slice(at + 1);
      if (domain === "reject.test" || local === "no-such-user") {
        return callback(
          smtpError(550, `<${address.address}>: Recipient address rejected: User unknown`),
        );
      }
      if (rcpt === "full@example.test") {
        return callback(smtpError(452, `<${address.address}>: Mailbox full, try again later`));
      }
      if (!LOCAL_DOMAINS.has(domain) && !session.user) {
        return callback(smtpError(554, `<${address.address}>: Relay access denied`));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Uint8Array[] = [];
      stream.on("data", (chunk: Uint8Array) => chunks.push(chunk));
      stream.on("end", () => {
        if (stream.sizeExceeded) {
          return callback(smtpError(552, `Message exceeds fixed maximum message size ${size}`));
        }
        const raw = new Uint8Array(Buffer.concat(chunks));
        const refusal = options.refuseData?.(raw);
        if (refusal !== undefined) return callback(smtpError(refusal.code, refusal.message));
        const envelope = session.envelope;
        perSession.set(session.id, (perSession.get(session.id) ?? 0) + 1);
        const message: ReceivedMessage = {
          from: envelope.mailFrom ? envelope.mailFrom.address : "",
          to: envelope.rcptTo.map((r) => r.address),
          user: userOf(session),
          secure: session.secure,
          raw,
          mailParams: params(envelope.mailFrom),
          rcptParams: envelope.rcptTo.map((r) => params(r)),
          dsn: envelope.dsn ? { ret: envelope.dsn.ret, envid: envelope.dsn.envid } : undefined,
          sessionId: session.id,
        };
        received.push(message);
        options.onMessage?.(message);
        callback(null, `Message queued as test-${received.length}`);
      });
    },
    ...options.serverOptions,
  });
  server.on("error", () => {
    // Client-side resets in negative tests are expected; the tests check the client's view.
  });
  skipGreetingDelay(server, options.greetingDelay ?? 0);

  await new Promise<void>((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.server.off("error", reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;

  return {
    host,
    port,
    tls: mode,
    ca,
    received,
    server,
    connectionCount: () => connections,
    openConnections: () => server.connections.size,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * smtp-server holds every greeting 100 ms to catch early talkers. Tests open many
 * connections, so this replaces its `connect` with the same steps minus the pause.
 * It leans on smtp-server 3.21.6 internals (`_setListeners`, `connectionReady`).
 */
function skipGreetingDelay(server: SMTPServer, delay: number): void {
  type Internal = SMTPServer & {
    _onError(error: Error): void;
    _onClientConnect(data: unknown): void;
  };
  type InternalConnection = SMTPConnection & {
    _setListeners(callback: () => void): void;
    connectionReady(): void;
  };
  const internal = server as Internal;
  internal.connect = (socket: Socket, socketOptions?: unknown) => {
    const connection = new SMTPConnection(
      server,
      socket,
      socketOptions as ConstructorParameters<typeof SMTPConnection>[2],
    ) as InternalConnection;
    server.connections.add(connection);
    connection.on("error", (error: Error) => internal._onError(error));
    connection.on("connect", (data: unknown) => internal._onClientConnect(data));
    connection._setListeners(() => {
      if (delay > 0) setTimeout(() => connection.connectionReady(), delay).unref();
      else connection.connectionReady();
    });
  };
}
