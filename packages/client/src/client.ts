import type { Capabilities, Connector, DsnOptions, SendResult } from "@smtp/core";
import { SmtpError } from "@smtp/core";
import type { MessageInput } from "@smtp/mime";
import { checkKeys } from "./check-keys.ts";
import { Connection, type SessionFactory } from "./connection.ts";
import { explainError } from "./explain-error.ts";
import type { QueuedSend } from "./job.ts";
import { SEND_OPTION_KEYS, VERIFY_OPTION_KEYS } from "./known-keys.ts";
import type { ClientOptions } from "./options.ts";
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

  return {
    async send(message, sendOptions = {}) {
      checkKeys(sendOptions, SEND_OPTION_KEYS, "send option");
      const signal = sendOptions.signal;
      if (closed) throw closedError();
      const { message: built, job } = prepareMessage(message, {
        hostname: resolved.name?.startsWith("[") ? undefined : resolved.name,
        dsn: sendOptions.dsn,
        requireAllRecipients: sendOptions.requireAllRecipients,
      });
      if (signal?.aborted) throw abortError(signal.reason);
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
        pool.enqueue(queued);
      });
      return toSendInfo(built.messageId, { from: job.from, to: job.to }, result);
    },

    async verify(verifyOptions = {}) {
      checkKeys(verifyOptions, VERIFY_OPTION_KEYS, "verify option");
      if (closed) throw closedError();
      const signal = verifyOptions.signal;
      if (signal?.aborted) throw abortError(signal.reason);
      try {
        return await verifyConnection(resolved, getConnector(), signal, internals.sessionFactory);
      } catch (error) {
        throw error instanceof SmtpError ? explainError(error, resolved) : error;
      }
    },

    async close() {
      closed = true;
      await pool.close();
    },
  };
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
