import type {
  Capabilities,
  Credentials,
  JobId,
  SendResult,
  SessionApi,
  SessionOptions,
} from "@smtp/core";
import { Session, SmtpError } from "@smtp/core";
import type { Connector, Transport } from "@smtp/core/transport-kit";
import { machineHostname } from "#platform";
import { accessTokenFrom, credentialsFor, TOKEN_PROVIDER } from "./credentials.ts";
import { type CloseInfo, Driver } from "./drive.ts";
import { chooseEhloName } from "./ehlo-name.ts";
import { InFlight } from "./in-flight.ts";
import type { QueuedSend } from "./job.ts";
import type { ResolvedOptions } from "./resolve-options.ts";
import { failedResult } from "./result.ts";
import { abortError, toSmtpError } from "./to-smtp-error.ts";
import { Waiter } from "./waiter.ts";
import { monotonicNow, randomBytes } from "./web-runtime.ts";

/** What a {@link Connection} tells its owner. @since 0.1.0 */
export interface ConnectionEvents {
  ready(connection: Connection): void;
  result(connection: Connection, send: QueuedSend, result: SendResult): void;
  closed(connection: Connection, info: CloseInfo): void;
}

/** Builds the session; replaced in tests. @since 0.1.0 */
export type SessionFactory = (options: SessionOptions) => SessionApi;

/**
 * One SMTP connection: opens the transport, runs a session over it with the {@link Driver},
 * and carries the messages handed to it. Used by the pool and by `verify()`.
 *
 * @since 0.1.0
 */
export class Connection {
  /** Counts the client's connections from 1, for transcripts. */
  readonly id: number;
  state: "connecting" | "ready" | "closed" = "connecting";
  capabilities: Capabilities | undefined;
  /** Messages handed to this connection so far. */
  submitted = 0;
  /** Messages this connection delivered (final 2xx). */
  delivered = 0;
  /** Sizes of the messages handed over and not yet finished, those of known size. */
  #knownBytes = 0;
  /** Messages handed over and not yet finished whose size is not known. */
  #unknownSizes = 0;
  /** Whether the session ever got ready (failures before that are establishment failures). */
  everReady = false;
  /** Whether the transport ever opened: a failure after that (a reset, a silent greeting) may pass. */
  everConnected = false;
  /** The message whose abort brought the connection down, if any. */
  abortedBy: QueuedSend | undefined;
  /** Resolves once the transport is closed, with how it ended. */
  readonly closed: Promise<CloseInfo>;

  readonly #options: ResolvedOptions;
  readonly #events: ConnectionEvents;
  readonly #controller = new AbortController();
  readonly #inFlight = new InFlight();
  #waiting: QueuedSend[] = [];
  #session: SessionApi | undefined;
  #driver: Driver | undefined;
  #quitRequested = false;
  /** When the connection last became idle (monotonic ms). */
  #idleSince = monotonicNow();

  constructor(
    options: ResolvedOptions,
    connector: Promise<Connector>,
    events: ConnectionEvents,
    sessionFactory: SessionFactory = (o) => new Session(o),
  ) {
    this.#options = options;
    this.#events = events;
    this.id = ++options.connectionCounter.count;
    this.closed = this.#run(connector, sessionFactory);
  }

  /** What the messages handed over and not yet finished weigh: their sizes, or unbounded. */
  get inFlightBytes(): number {
    return this.#unknownSizes > 0 ? Infinity : this.#knownBytes;
  }

  /** Adds (`sign` 1) or removes (-1) a message's size. */
  #weigh(send: QueuedSend, sign: 1 | -1): void {
    const size = send.job.size;
    if (size === undefined) this.#unknownSizes += sign;
    else this.#knownBytes += sign * size;
  }

  /** A message's outcome, to the owner: it no longer weighs on this connection. */
  #report(send: QueuedSend, result: SendResult): void {
    this.#weigh(send, -1);
    this.#events.result(this, send, result);
  }

  /** Messages handed over and not yet finished. */
  get load(): number {
    return this.#inFlight.size + this.#waiting.length;
  }

  /** Whether the connection can take another message now. */
  get open(): boolean {
    // The session may have ended (end of stream, a fatal reply) before the driver has
    // handled its close action: such a connection takes no more messages either.
    return (
      this.state !== "closed" &&
      !this.#quitRequested &&
      !this.#driver?.closing &&
      this.#session?.state !== "closed" &&
      this.#session?.state !== "quitting"
    );
  }

  /** Hands a message to this connection. */
  submit(send: QueuedSend): void {
    this.submitted++;
    send.attempts++;
    this.#weigh(send, 1);
    if (!this.#session || !this.#driver) {
      this.#waiting.push(send);
      return;
    }
    // A connection left unused for a while may have been dropped silently (NAT, a server's
    // idle limit): probe it with NOOP first. If it is dead, the message fails before any of
    // its bytes were sent and the pool retries it on a fresh connection.
    const now = monotonicNow();
    if (this.load === 0 && now - this.#idleSince >= this.#options.pool.noopAfterIdle) {
      this.#session.noop(now);
    }
    this.#give(this.#session, this.#driver, send);
  }

  /** QUIT once the messages handed over are finished. */
  quit(): void {
    if (this.#quitRequested || this.state === "closed") return;
    this.#quitRequested = true;
    if (this.#session && this.#driver) {
      this.#session.quit(monotonicNow());
      this.#driver.wake();
    }
  }

  /** Brings the connection down at once: every open message fails with `aborted`. */
  abort(send: QueuedSend | undefined, reason: unknown): void {
    this.abortedBy ??= send;
    this.#controller.abort(abortError(reason));
  }

  #give(session: SessionApi, driver: Driver, send: QueuedSend): void {
    let id: JobId;
    try {
      id = session.send(send.job, monotonicNow());
    } catch (error) {
      this.#report(send, failedResult(toSmtpError(error), false));
      return;
    }
    this.#inFlight.add(id, send);
    driver.wake();
  }

  async #run(
    connectorPromise: Promise<Connector>,
    sessionFactory: SessionFactory,
  ): Promise<CloseInfo> {
    const o = this.#options;
    let transport: Transport | undefined;
    let info: CloseInfo;
    try {
      // Fetched before connecting: a failing token provider leaves no socket to clean up.
      const auth = await this.#bounded(credentialsFor(o.auth), TOKEN_PROVIDER);
      const connector = await connectorPromise;
      // Transports keep no clock: the connect deadline (and the connection's abort) reach
      // the connector through this signal, which ends a TCP connect or TLS handshake.
      const connecting = new AbortController();
      const forward = (): void => connecting.abort(this.#controller.signal.reason);
      this.#controller.signal.addEventListener("abort", forward, { once: true });
      const opening = connector(
        {
          host: o.host,
          port: o.port,
          tls: o.secure ? "implicit" : o.starttls === "never" ? "none" : "starttls",
          connectTimeout: o.timeouts.connect,
        },
        connecting.signal,
      );
      try {
        transport = await this.#bounded(opening, "connecting");
      } catch (error) {
        connecting.abort(error);
        // A connector that ignores its signal must not hang the send; a transport it
        // delivers too late is destroyed.
        opening.then(
          (late) => late.abort(error),
          () => {},
        );
        throw error;
      } finally {
        this.#controller.signal.removeEventListener("abort", forward);
      }
      if (this.#controller.signal.aborted) throw abortError(this.#controller.signal.reason);
      this.everConnected = true;
      const ehloName = o.name ?? chooseEhloName(await machineHostname(), transport.localAddress);
      const session = sessionFactory(this.#sessionOptions(ehloName, auth));
      const driver = new Driver(session, transport, this.#hooks(), {
        now: monotonicNow,
        signal: this.#controller.signal,
        closeTimeout: o.timeouts.command,
      });
      this.#session = session;
      this.#driver = driver;
      session.connected(monotonicNow());
      const waiting = this.#waiting;
      this.#waiting = [];
      for (const send of waiting) this.#give(session, driver, send);
      if (this.#quitRequested) session.quit(monotonicNow());
      info = await driver.run();
    } catch (error) {
      // Failed before the driver took over: the transport (if any) is destroyed here.
      const e = toSmtpError(error);
      transport?.abort(e);
      info = { reason: "error", error: e };
      const waiting = this.#waiting;
      this.#waiting = [];
      for (const send of waiting) {
        this.#report(send, failedResult(e, false));
      }
    }
    this.state = "closed";
    // A session always reports every job before closing; this is a safety net.
    for (const send of this.#inFlight.takeAll()) {
      const error = info.error ?? toSmtpError(new Error("connection closed"));
      this.#report(send, failedResult(error, true));
    }
    this.#events.closed(this, info);
    return info;
  }

  /** Awaits `promise` no longer than the connect timeout, and not past an abort. */
  async #bounded<T>(promise: Promise<T>, what: string): Promise<T> {
    const waiter = new Waiter(monotonicNow, this.#controller.signal);
    const outcome = await waiter.wait(promise, monotonicNow() + this.#options.timeouts.connect);
    waiter.dispose();
    if (outcome.type === "value") return outcome.value;
    if (outcome.type === "error") throw outcome.error;
    if (outcome.type === "aborted") throw abortError(outcome.reason);
    throw new SmtpError({
      kind: "timeout",
      phase: "connect",
      message: `${what} took longer than the connect timeout`,
      retryable: true,
    });
  }

  #sessionOptions(ehloName: string, auth: Credentials | undefined): SessionOptions {
    const o = this.#options;
    const transcript = o.transcript;
    const id = this.id;
    return {
      ehloName,
      servername: o.servername,
      // The driver writes each chunk and waits for the transport to let go of it before it
      // polls again: the session may join every write into the same buffer.
      lendOutput: true,
      secure: o.secure,
      starttls: o.starttls,
      allowInsecureAuth: o.allowInsecureAuth,
      peerIsLoopback: o.loopback,
      timeouts: {
        greeting: o.timeouts.greeting,
        command: o.timeouts.command,
        dataStart: o.timeouts.command,
        dataBlock: o.timeouts.data,
        dataEnd: o.timeouts.data,
        quit: o.timeouts.command,
      },
      ...(auth === undefined ? {} : { auth }),
      ...(o.auth !== undefined && "accessTokenProvider" in o.auth
        ? { refreshableToken: true }
        : {}),
      ...(o.lmtp ? { lmtp: true } : {}),
      ...(transcript === undefined
        ? {}
        : {
            transcript: (entry) => {
              try {
                transcript({ ...entry, connection: id });
              } catch {
                // A failing log callback must not break the conversation.
              }
            },
          }),
      randomBytes,
    };
  }

  #hooks() {
    const auth = this.#options.auth;
    return {
      // The server refused the token: ask the provider for a new one (never a cached one).
      ...(auth !== undefined && "accessTokenProvider" in auth
        ? { token: () => accessTokenFrom(auth.accessTokenProvider, true) }
        : {}),
      ready: (capabilities: Capabilities) => {
        this.state = "ready" as const;
        this.everReady = true;
        this.capabilities = capabilities;
        this.#idleSince = monotonicNow();
        this.#events.ready(this);
      },
      body: (id: JobId) => {
        const send = this.#inFlight.get(id);
        if (!send) throw new Error(`no message for job ${id}`);
        // Safe to let the builder reuse its buffers: the engine copies chunks under
        // BODY_COPY_LIMIT, and the driver writes any larger one (which the engine may pass
        // through uncopied) and awaits the transport before it pulls the next chunk. This
        // keeps a 200 MiB attachment's extra memory to a few MB.
        return send.message.stream({ reuseBuffers: true });
      },
      bodyBytes: (id: JobId) => this.#inFlight.get(id)?.message.singleChunk?.(),
      result: (id: JobId, result: SendResult) => {
        const send = this.#inFlight.take(id);
        if (!send) return;
        if (result.ok) this.delivered++;
        if (this.load === 0) this.#idleSince = monotonicNow();
        this.#report(send, result);
      },
    };
  }
}
