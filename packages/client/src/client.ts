import type { Capabilities, DsnOptions, SendResult } from "@smtp/core";
import { invalidInput, SmtpError } from "@smtp/core/base";
import type { Connector } from "@smtp/core/transport-kit";
import type { MessageInput } from "@smtp/mime";
import { defaultConnector, EHLO_NAME_REQUIRED } from "#platform";
import { checkKeys } from "./check-keys.ts";
import type { SessionFactory } from "./connection.ts";
import { type ResolvedDkim, resolveDkim } from "./dkim.ts";
import { explainError } from "./explain-error.ts";
import type { QueuedSend } from "./job.ts";
import { SEND_OPTION_KEYS, VERIFY_OPTION_KEYS } from "./known-keys.ts";
import type { ClientDkimOptions, ClientOptions } from "./options.ts";
import type { Pool } from "./pool.ts";
import { loadMessageInput, prepareMessage } from "./prepare.ts";
import { type ResolvedOptions, resolveOptions } from "./resolve-options.ts";
import { type SendInfo, toSendInfo } from "./result.ts";
import { abortError } from "./to-smtp-error.ts";

/** The pool, the connections and the engine: loaded on the first `send` or `verify`. */
let engine: Promise<typeof import("./engine.ts")> | undefined;
function loadEngine(): Promise<typeof import("./engine.ts")> {
  engine ??= import("./engine.ts");
  return engine;
}

/**
 * Per-message options of {@link SmtpClient.send}.
 *
 * @since 0.1.0
 */
export interface SendOptions {
  /** Aborting rejects the send with an `aborted` SmtpError and, if it is on the wire, drops its connection. */
  signal?: AbortSignal | undefined;
  /** Delivery status notification requests (RFC 3461), when the server offers DSN. */
  dsn?: DsnOptions | undefined;
  /** Fail the message when any recipient is refused, instead of delivering to the others. */
  requireAllRecipients?: boolean | undefined;
  /** DKIM for this message instead of the client's `dkim` option; `false` sends it unsigned. */
  dkim?: ClientDkimOptions | false | undefined;
  /**
   * REQUIRETLS (RFC 8689): the message must travel over TLS all the way. MAIL FROM carries
   * `REQUIRETLS`; on a connection without TLS, to a server that does not offer REQUIRETLS,
   * or with `tls.rejectUnauthorized: false`, the send fails with kind `tls-required` and the
   * message is never sent without it.
   *
   * @since 0.1.0
   */
  requireTls?: boolean | undefined;
}

/**
 * An SMTP client bound to one server. Create it with {@link createClient}.
 *
 * @since 0.1.0
 */
export interface SmtpClient {
  /**
   * Builds and sends one message. Resolves once the server has accepted it (final 2xx),
   * rejects with {@link SmtpError}. Invalid input is refused before any connection opens.
   */
  send(message: MessageInput, options?: SendOptions): Promise<SendInfo>;
  /** Connects, says EHLO, does STARTTLS and AUTH as configured, QUITs; returns the server's capabilities. */
  verify(options?: { signal?: AbortSignal | undefined }): Promise<Capabilities>;
  /** Lets sends in flight finish, QUITs every connection and waits until all are closed. */
  close(): Promise<void>;
}

/**
 * Hooks for tests: replace the engine with a scripted one. Not part of the stable API.
 *
 * @since 0.1.0
 */
export interface ClientInternals {
  /** Builds the engine of each connection instead of `new Session(options)`. */
  sessionFactory?: SessionFactory;
}

/**
 * Creates a client. Options are validated at once (an invalid option throws `SmtpError`
 * kind `"invalid-input"`); no connection is opened until the first `send` or `verify`.
 * A string is a connection URL (`"smtps://user:pass@smtp.example.com"`, see
 * {@link ClientOptions.url}).
 *
 * @example
 * ```ts
 * const client = createClient({ host: "smtp.example.com", auth: { user, pass } });
 * const info = await client.send({ from: "me@example.com", to: "you@example.org", subject: "Hi", text: "Hello" });
 * await client.close();
 *
 * const relay = createClient("smtp://relay.internal:25?starttls=opportunistic");
 * const gmail = createClient({ service: "gmail", auth: { user, pass } });
 * ```
 *
 * @since 0.1.0
 */
export function createClient(
  options: ClientOptions | string,
  internals: ClientInternals = {},
): SmtpClient {
  const resolved = resolveOptions(options);
  if (resolved.name === undefined && EHLO_NAME_REQUIRED !== undefined) {
    throw invalidInput(EHLO_NAME_REQUIRED, "bad-ehlo-name");
  }
  let connector: Promise<Connector> | undefined;
  const getConnector = () => {
    connector ??= (
      resolved.transport ? Promise.resolve(resolved.transport) : defaultConnector(resolved.tls)
    ).then((base) => (resolved.proxy ? resolved.proxy.wrap(base) : base));
    return connector;
  };
  // Made on the first send: until then no engine code is loaded.
  let pool: Promise<Pool> | undefined;
  /** The pool once made: later sends queue without waiting a turn for the promise. */
  let poolMade: Pool | undefined;
  const getPool = () => {
    pool ??= loadEngine().then((loaded) => {
      poolMade = new loaded.Pool(resolved, getConnector, internals.sessionFactory);
      return poolMade;
    });
    return pool;
  };
  let closed = false;
  // Messages being signed are not queued yet: close() waits for them to be. A count, not a
  // Set of their promises: a long-lived Set churned per message keeps its outgrown tables,
  // and through them later messages, past the young collections (see InFlight).
  let signing = 0;
  /** Each close() waiting for the signing to end. */
  const signingDone: (() => void)[] = [];
  const track = <T>(promise: Promise<T>): Promise<T> => {
    signing++;
    const forget = () => {
      signing--;
      if (signing === 0) for (const resolve of signingDone.splice(0)) resolve();
    };
    promise.then(forget, forget);
    return promise;
  };

  return {
    async send(message, sendOptions = {}) {
      checkKeys(sendOptions, SEND_OPTION_KEYS, "send option");
      const signal = sendOptions.signal;
      if (closed) throw closedError();
      const requireTls = checkRequireTls(sendOptions.requireTls, resolved);
      // Checked before any file is read: a bad key is refused at once.
      const dkim = messageDkim(resolved.dkim, sendOptions.dkim);
      const pending = loadMessageInput(message);
      const loaded = pending instanceof Promise ? await pending : pending;
      let prepared = prepareMessage(loaded.input, {
        hostname: resolved.name?.startsWith("[") ? undefined : resolved.name,
        dsn: sendOptions.dsn,
        requireAllRecipients: sendOptions.requireAllRecipients,
        requireTls,
        files: loaded.files,
      });
      if (signal?.aborted) throw abortError(signal.reason);
      const signed =
        dkim === undefined
          ? undefined
          : await track(loadEngine().then((e) => e.signMessage(prepared, dkim, signal)));
      if (signed !== undefined) prepared = signed.prepared;
      try {
        const queue = poolMade ?? (await getPool());
        if (signal?.aborted) throw abortError(signal.reason);
        const { message: built, job } = prepared;
        const result = await new Promise<Extract<SendResult, { ok: true }>>((resolve, reject) => {
          const queued: QueuedSend = {
            message: built,
            job,
            signal,
            attempts: 0,
            settled: false,
            resolve,
            reject: (error) => reject(explainError(error, resolved)),
          };
          queue.enqueue(queued);
          // close() came while the engine was loading: the message still goes, then the pool closes.
          if (closed) void queue.close();
        });
        return toSendInfo(built.messageId, { from: job.from, to: job.to }, result);
      } finally {
        if (signed !== undefined) await signed.release();
      }
    },

    async verify(verifyOptions = {}) {
      checkKeys(verifyOptions, VERIFY_OPTION_KEYS, "verify option");
      if (closed) throw closedError();
      const signal = verifyOptions.signal;
      if (signal?.aborted) throw abortError(signal.reason);
      try {
        const { verifyConnection } = await loadEngine();
        if (signal?.aborted) throw abortError(signal.reason);
        return await verifyConnection(resolved, getConnector(), signal, internals.sessionFactory);
      } catch (error) {
        throw error instanceof SmtpError ? explainError(error, resolved) : error;
      }
    },

    async close() {
      closed = true;
      while (signing > 0) {
        await new Promise<void>((resolve) => {
          signingDone.push(resolve);
        });
      }
      await pool?.then(
        (queue) => queue.close(),
        () => {},
      );
    },
  };
}

/** The DKIM settings of one send: its own `dkim` (checked now), none for `false`, else the client's. */
function messageDkim(
  client: ResolvedDkim | undefined,
  own: ClientDkimOptions | false | undefined,
): ResolvedDkim | undefined {
  if (own === undefined) return client;
  return own === false ? undefined : resolveDkim(own);
}

/** `requireTls` is a boolean, and needs certificates to be verified (RFC 8689 §4.2.1). */
function checkRequireTls(value: unknown, options: ResolvedOptions): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "boolean") {
    throw new SmtpError({
      kind: "invalid-input",
      message: "requireTls must be a boolean",
      retryable: false,
    });
  }
  if (value && options.tls?.rejectUnauthorized === false && options.transport === undefined) {
    throw new SmtpError({
      kind: "tls-required",
      message: "requireTls needs a verified certificate, but tls.rejectUnauthorized is false",
      retryable: false,
    });
  }
  return value;
}

function closedError(): SmtpError {
  return new SmtpError({ kind: "connection", message: "the client is closed", retryable: false });
}
