import type { Capabilities, Connector, DsnOptions, SendResult } from "@smtp/core";
import { SmtpError } from "@smtp/core";
import type { MessageInput } from "@smtp/mime";
import { Connection, type SessionFactory } from "./connection.ts";
import { type ResolvedDkim, resolveDkim, signMessage } from "./dkim.ts";
import type { QueuedSend } from "./job.ts";
import type { ClientDkimOptions, ClientOptions } from "./options.ts";
import { Pool } from "./pool.ts";
import { prepareMessage } from "./prepare.ts";
import { type ResolvedOptions, resolveOptions } from "./resolve-options.ts";
import { type SendInfo, toSendInfo } from "./result.ts";
import { defaultConnector } from "./runtime.ts";
import { abortError } from "./to-smtp-error.ts";

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
  sessionFactory?: SessionFactory;
}

/**
 * Creates a client. Options are validated at once (an invalid option throws `SmtpError`
 * kind `"invalid-input"`); no connection is opened until the first `send` or `verify`.
 *
 * @example
 * ```ts
 * const client = createClient({ host: "smtp.example.com", auth: { user, pass } });
 * const info = await client.send({ from: "me@example.com", to: "you@example.org", subject: "Hi", text: "Hello" });
 * await client.close();
 * ```
 *
 * @since 0.1.0
 */
export function createClient(options: ClientOptions, internals: ClientInternals = {}): SmtpClient {
  const resolved = resolveOptions(options);
  let connector: Promise<Connector> | undefined;
  const getConnector = () => {
    connector ??= resolved.transport
      ? Promise.resolve(resolved.transport)
      : defaultConnector(resolved.tls);
    return connector;
  };
  const pool = new Pool(resolved, getConnector, internals.sessionFactory);
  let closed = false;
  // Messages being signed are not queued yet: close() waits for them to be.
  const signing = new Set<Promise<unknown>>();
  const track = <T>(promise: Promise<T>): Promise<T> => {
    signing.add(promise);
    const forget = () => signing.delete(promise);
    promise.then(forget, forget);
    return promise;
  };

  return {
    async send(message, sendOptions = {}) {
      const signal = sendOptions.signal;
      if (closed) throw closedError();
      let prepared = prepareMessage(message, {
        hostname: resolved.name?.startsWith("[") ? undefined : resolved.name,
        dsn: sendOptions.dsn,
        requireAllRecipients: sendOptions.requireAllRecipients,
      });
      const dkim = messageDkim(resolved.dkim, sendOptions.dkim);
      if (signal?.aborted) throw abortError(signal.reason);
      const signed =
        dkim === undefined ? undefined : await track(signMessage(prepared, dkim, signal));
      if (signed !== undefined) prepared = signed.prepared;
      try {
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
            reject,
          };
          pool.enqueue(queued);
        });
        return toSendInfo(built.messageId, { from: job.from, to: job.to }, result);
      } finally {
        await signed?.release();
      }
    },

    async verify(verifyOptions = {}) {
      if (closed) throw closedError();
      const signal = verifyOptions.signal;
      if (signal?.aborted) throw abortError(signal.reason);
      return verifyConnection(resolved, getConnector(), signal, internals.sessionFactory);
    },

    async close() {
      closed = true;
      await Promise.allSettled(signing);
      await pool.close();
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

function closedError(): SmtpError {
  return new SmtpError({ kind: "connection", message: "the client is closed", retryable: false });
}

/** One connection that stops after the session is ready (EHLO, STARTTLS, AUTH). */
async function verifyConnection(
  options: ResolvedOptions,
  connector: Promise<Connector>,
  signal: AbortSignal | undefined,
  sessionFactory: SessionFactory | undefined,
): Promise<Capabilities> {
  const connection = new Connection(
    options,
    connector,
    {
      ready: (c) => c.quit(),
      result: () => {},
      closed: () => {},
    },
    sessionFactory,
  );
  const onAbort = () => connection.abort(undefined, signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const info = await connection.closed;
    if (connection.everReady && connection.capabilities) return connection.capabilities;
    throw (
      info.error ?? new SmtpError({ kind: "connection", message: "the connection closed early" })
    );
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}
