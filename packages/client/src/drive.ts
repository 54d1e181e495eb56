import type { Capabilities, JobId, SendResult, SessionApi } from "@smtp/core";
import { BODY_COPY_LIMIT, SmtpError } from "@smtp/core";
import type { Transport } from "@smtp/core/transport-kit";
import { abortError, toSmtpError } from "./to-smtp-error.ts";
import { Waiter, type WaitOutcome } from "./waiter.ts";

/** What the driver reports to its owner. @since 0.1.0 */
export interface DriveHooks {
  /** The session is established (after greeting, EHLO, STARTTLS, AUTH). */
  ready(capabilities: Capabilities): void;
  /** The bytes of job `id`'s message, pulled chunk by chunk as the connection drains. */
  body(id: JobId): AsyncIterable<Uint8Array>;
  /**
   * Job `id`'s whole message when it is at hand in memory and short (under
   * `BODY_COPY_LIMIT`), else `undefined`: it is then handed over at once, without pulling
   * {@link DriveHooks.body}.
   */
  bodyBytes?(id: JobId): Uint8Array | undefined;
  /** Job `id` is finished; called exactly once per job. */
  result(id: JobId, result: SendResult): void;
  /** A fresh access token, when the server refused the last one (the session's `need-token`). */
  token?(): Promise<string>;
}

/** How a driven connection ended. @since 0.1.0 */
export interface CloseInfo {
  reason: "quit" | "error" | "timeout" | "eof";
  error?: SmtpError | undefined;
}

/** Settings of {@link Driver}. @since 0.1.0 */
export interface DriverOptions {
  /** A monotonic clock in milliseconds; the session's deadlines are on it. */
  now: () => number;
  /** Aborting fails the connection (every open job) with an `aborted` error. */
  signal?: AbortSignal | undefined;
  /** How long a graceful `transport.close()` may take before the transport is destroyed. */
  closeTimeout?: number;
}

/** Returned by a wait that the session's deadline cut short: the session has been told. */
const INTERRUPTED = Symbol("interrupted");

/**
 * The driver loop: moves bytes between a {@link Transport} and a session, enforces the
 * session's deadlines with timers, performs the actions it asks for (TLS upgrade, body
 * streaming) and reports the rest through {@link DriveHooks}. One loop for every runtime.
 *
 * Invariants: at most one `read()` is outstanding; a body chunk is pulled only when less
 * than {@link BODY_COPY_LIMIT} bytes wait unwritten (back-pressure), and never while a
 * chunk the session may not have copied (of that size or more) is still unwritten (the
 * memory rule of `Session.bodyChunk`); the waits share one timer and one abort listener,
 * both removed when the loop ends; and the transport is closed or aborted exactly once.
 *
 * Small body chunks, which the session copies, wait and go out together with what follows:
 * a message that fits in 64 KiB leaves in one write, with its end of data and the next
 * message's pipelined envelope.
 *
 * Results are reported in the session's order, each exactly once, after the write that
 * the same server reply made ready has been handed to the transport, and before any other
 * wait: the owner's continuation runs while the server works on those bytes.
 *
 * @since 0.1.0
 */
export class Driver {
  readonly #session: SessionApi;
  readonly #transport: Transport;
  readonly #hooks: DriveHooks;
  readonly #now: () => number;
  readonly #closeTimeout: number;
  #woken = false;
  #closing = false;
  /** Every wait of the run loop: one timer and one abort listener, not one per wait. */
  readonly #waiter: Waiter;
  /** Body bytes given to the session since the last {@link Driver.#flush}. */
  #unflushed = 0;
  /** The job whose own body could not be read, when that is what ends the connection. */
  #bodyFailed: JobId | undefined;
  /** The sending direction was ended after QUIT. */
  #writeClosed = false;
  /**
   * Results the session has given and the owner not yet heard, in order. They are reported
   * once the bytes that came with them are handed to the transport (see
   * {@link Driver.#report}).
   */
  readonly #results: { id: JobId; result: SendResult }[] = [];

  constructor(
    session: SessionApi,
    transport: Transport,
    hooks: DriveHooks,
    options: DriverOptions,
  ) {
    this.#session = session;
    this.#transport = transport;
    this.#hooks = hooks;
    this.#now = options.now;
    this.#closeTimeout = options.closeTimeout ?? 5_000;
    this.#waiter = new Waiter(options.now, options.signal);
  }

  /** Whether the session has asked to close or the connection failed: give it no more work. */
  get closing(): boolean {
    return this.#closing;
  }

  /** Tell the loop that the session has new input (a job, QUIT, NOOP) to act on. */
  wake(): void {
    this.#woken = true;
    this.#waiter.interrupt();
  }

  /** Runs until the connection is closed. Never rejects: failures become the session's results. */
  async run(): Promise<CloseInfo> {
    const session = this.#session;
    let pendingRead: Promise<Uint8Array | null> | undefined;
    let close: CloseInfo | undefined;
    try {
      // The polling contract (SessionApi): write everything, then handle one action,
      // until both are empty; only then wait for the server, up to pollTimeout().
      // Results are held until then, or until any other wait has begun (`#wait`: a write
      // handed to the transport, the TLS handshake): a caller's continuation (often the
      // next send(), building its message) then runs while the server works on those
      // bytes, not before they are written.
      for (;;) {
        const flushing = this.#flush();
        if (flushing !== undefined && (await flushing) === INTERRUPTED) continue;
        const action = session.pollAction();
        if (action !== null) {
          if (action.type === "upgrade-tls") {
            const outcome = await this.#wait(
              this.#transport.startTls({ servername: action.servername }),
            );
            if (outcome === INTERRUPTED) continue;
            session.tlsEstablished(this.#now());
          } else if (action.type === "ready") {
            this.#hooks.ready(action.capabilities);
          } else if (action.type === "need-body") {
            // A short message in memory is handed over at once, without an await (which
            // would let queued continuations run before its bytes are written). A stream
            // may take its time: the results held back must not wait for it, and are
            // reported here, outside the pull whose failures are the body's.
            if (!this.#bodyAtOnce(action.id)) {
              this.#report();
              await this.#streamBody(action.id);
            }
          } else if (action.type === "need-token") {
            this.#report();
            await this.#refreshToken();
          } else if (action.type === "result") {
            this.#results.push(action);
          } else {
            this.#report();
            this.#closing = true;
            close = { reason: action.reason, error: action.error };
            break;
          }
          continue;
        }
        // Nothing to write or do: the owner hears the results (which may give the session
        // more work, and wake the loop) before the wait for the server.
        this.#report();
        if (this.#woken) {
          this.#woken = false;
          continue;
        }
        if (!this.#writeClosed && session.state === "quitting") this.#closeWrite();
        pendingRead ??= this.#transport.read();
        // Only this wait, for the server, is cut short by wake(): new work to write.
        const outcome = await this.#waiter.waitInterruptible(pendingRead, session.pollTimeout());
        if (outcome.type === "wake") continue;
        if (outcome.type === "timeout") {
          session.handleTimeout(this.#now());
          continue;
        }
        pendingRead = undefined;
        const chunk = this.#unwrap(outcome);
        if (chunk === null) session.receiveEof(this.#now());
        else session.receiveData(chunk, this.#now());
      }
    } catch (error) {
      // The held results first, in order; a hook that throws again is not what ends the run.
      while (this.#results.length > 0) {
        try {
          this.#report();
        } catch {
          // That result is off the list: on with the next.
        }
      }
      close = this.#fail(toSmtpError(error));
    }
    this.#waiter.dispose();
    await this.#release(close);
    return close;
  }

  /**
   * QUIT is out and nothing follows it: end the sending direction (a half-close). The
   * server's 221 and end-of-stream are still read. Exim 4.96 holds its 221 until the client
   * has closed its side, for up to 200 ms: without this, every connection to it (each
   * unpooled send, `verify()`, each recycling) would wait that long. A failure here shows
   * up in the read that follows.
   */
  #closeWrite(): void {
    this.#writeClosed = true;
    this.#transport.closeWrite?.().catch(() => {});
  }

  /**
   * Reports the results held back, oldest first, each taken off before its hook runs: a
   * hook that throws (which fails the connection) leaves the rest to be reported after it.
   */
  #report(): void {
    const results = this.#results;
    while (results.length > 0) {
      const { id, result } = results.shift()!;
      this.#hooks.result(id, result);
    }
  }

  /** Fails the session with `error` and collects the results and the close it then produces. */
  #fail(error: SmtpError): CloseInfo {
    this.#closing = true;
    const session = this.#session;
    session.transportFailed(error, this.#now());
    while (session.pollTransmit()) {
      // The connection is gone: nothing more is written.
    }
    let close: CloseInfo = { reason: "error", error };
    for (let action = session.pollAction(); action; action = session.pollAction()) {
      if (action.type === "result") this.#hooks.result(action.id, this.#blame(action, error));
      else if (action.type === "close")
        close = { reason: action.reason, error: action.error ?? error };
    }
    return close;
  }

  /**
   * One message's unreadable body ends the connection (its data cannot be cancelled), but
   * it is that message's failure alone: the others get a retryable connection error.
   */
  #blame(action: { id: JobId; result: SendResult }, error: SmtpError): SendResult {
    const { id, result } = action;
    if (result.ok || this.#bodyFailed === undefined || id === this.#bodyFailed) return result;
    if (result.error !== error) return result; // e.g. maybe-delivered: its own outcome
    return {
      ...result,
      error: new SmtpError({
        kind: "connection",
        message: "the connection was closed because another message's body could not be read",
        retryable: true,
        cause: error,
      }),
    };
  }

  /** Closes (after QUIT) or destroys the transport: exactly one of the two. */
  async #release(close: CloseInfo): Promise<void> {
    if (close.reason !== "quit") {
      this.#transport.abort(close.error);
      return;
    }
    // The run loop's waiter is disposed by now, and an abort must not cut a graceful close short.
    const waiter = new Waiter(this.#now);
    const outcome = await waiter.wait(this.#transport.close(), this.#now() + this.#closeTimeout);
    waiter.dispose();
    // A close that hangs or fails leaves a socket behind unless it is destroyed.
    if (outcome.type !== "value") this.#transport.abort(close.error);
  }

  /**
   * Writes everything the session has to send, one awaited write per chunk. Returns
   * without a promise when there is nothing to write (most turns of the run loop).
   */
  #flush(): Promise<typeof INTERRUPTED | undefined> | undefined {
    this.#unflushed = 0;
    const bytes = this.#session.pollTransmit();
    return bytes === null ? undefined : this.#writeAll(bytes);
  }

  async #writeAll(first: Uint8Array): Promise<typeof INTERRUPTED | undefined> {
    for (let bytes: Uint8Array | null = first; bytes; bytes = this.#session.pollTransmit()) {
      if ((await this.#wait(this.#transport.write(bytes))) === INTERRUPTED) return INTERRUPTED;
    }
    return undefined;
  }

  /**
   * Hands job `id`'s whole message to the session at once when it is short and in memory:
   * no pull, no wait. The session copies it (it is short), and it goes out with the end of
   * data in the run loop's next write. Returns whether it did.
   */
  #bodyAtOnce(id: JobId): boolean {
    const whole = this.#hooks.bodyBytes?.(id);
    if (whole === undefined || whole.length >= BODY_COPY_LIMIT) return false;
    const now = this.#now();
    this.#session.bodyChunk(id, whole, now);
    this.#session.bodyEnd(id, now);
    return true;
  }

  /**
   * Pulls the message one chunk at a time. Small chunks stay queued in the session (it
   * copied them) until 64 KiB are pending or the body ends; the end of data then goes out
   * in the run loop's next write, with whatever the session queued after it. A chunk of
   * 64 KiB or more is written before the next pull, because its output may be the
   * caller's own buffer, which the next pull may overwrite (`reuseBuffers`).
   */
  async #streamBody(id: JobId): Promise<void> {
    let iterator: AsyncIterator<Uint8Array>;
    try {
      iterator = this.#hooks.body(id)[Symbol.asyncIterator]();
    } catch (error) {
      this.#bodyFailed = id;
      throw bodyError(error);
    }
    let finished = false;
    try {
      for (;;) {
        let next: IteratorResult<Uint8Array>;
        try {
          const outcome = await this.#wait(iterator.next());
          if (outcome === INTERRUPTED) return;
          next = outcome;
        } catch (error) {
          if (error instanceof SmtpError) throw error;
          this.#bodyFailed = id;
          throw bodyError(error);
        }
        if (next.done) {
          finished = true;
          this.#session.bodyEnd(id, this.#now());
          return;
        }
        this.#session.bodyChunk(id, next.value, this.#now());
        // One bound for both reasons to write now: a chunk of BODY_COPY_LIMIT or more
        // (maybe not copied), and enough small ones pending (back-pressure).
        this.#unflushed += next.value.length;
        if (this.#unflushed >= BODY_COPY_LIMIT && (await this.#flush()) === INTERRUPTED) return;
      }
    } finally {
      // Not awaited: a generator still waiting inside next() (a stalled attachment stream)
      // only returns after that next() settles, which may be never.
      if (!finished) iterator.return?.()?.catch(() => {});
    }
  }

  /**
   * Answers `need-token` with the owner's fresh token, or with why there is none, under the
   * session's deadline (which passing ends the session) and the abort signal.
   */
  async #refreshToken(): Promise<void> {
    const token =
      this.#hooks.token?.() ??
      Promise.reject(new SmtpError({ kind: "auth", message: "no access token provider" }));
    const outcome = await this.#waiter.wait(token, this.#session.pollTimeout());
    if (outcome.type === "timeout") this.#session.handleTimeout(this.#now());
    else if (outcome.type === "aborted") throw abortError(outcome.reason);
    else if (outcome.type === "value") this.#session.tokenRefreshed(outcome.value, this.#now());
    else if (outcome.type === "error") {
      const error =
        outcome.error instanceof SmtpError
          ? outcome.error
          : new SmtpError({ kind: "auth", message: "no fresh access token", cause: outcome.error });
      this.#session.tokenRefreshed(error, this.#now());
    }
  }

  /**
   * Awaits `promise` under the session's current deadline and the abort signal. When the
   * deadline passes, the session is told and {@link INTERRUPTED} returned; an abort or a
   * failure of `promise` throws.
   */
  async #wait<T>(promise: Promise<T>): Promise<T | typeof INTERRUPTED> {
    const waiting = this.#waiter.wait(promise, this.#session.pollTimeout());
    // The wait has begun (a write is with the transport, which a free socket takes at once):
    // the results held back go to the owner while it runs. A hook that throws ends the run;
    // the wait, which never rejects, has taken `promise`'s rejection.
    this.#report();
    const outcome = await waiting;
    if (outcome.type === "timeout") {
      this.#session.handleTimeout(this.#now());
      return INTERRUPTED;
    }
    return this.#unwrap(outcome);
  }

  #unwrap<T>(outcome: WaitOutcome<T>): T {
    if (outcome.type === "value") return outcome.value;
    if (outcome.type === "aborted") throw abortError(outcome.reason);
    if (outcome.type === "error") throw outcome.error;
    throw new Error(`unexpected wait outcome ${outcome.type}`);
  }
}

/** The message's own stream failed (e.g. an attachment that could not be read). */
function bodyError(cause: unknown): SmtpError {
  const message = cause instanceof Error ? cause.message : String(cause);
  return new SmtpError({
    kind: "invalid-input",
    message: `reading the message body failed: ${message}`,
    retryable: false,
    cause,
  });
}
