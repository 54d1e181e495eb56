import type { SendResult, SmtpError } from "@smtp/core";
import type { Connector } from "@smtp/core/transport-kit";
import { Connection, type ConnectionEvents, type SessionFactory } from "./connection.ts";
import type { CloseInfo } from "./drive.ts";
import type { QueuedSend } from "./job.ts";
import type { ResolvedOptions } from "./resolve-options.ts";
import { failedResult } from "./result.ts";
import { abortError } from "./to-smtp-error.ts";
import { monotonicNow } from "./web-runtime.ts";

/**
 * Messages in flight on one connection at most when the server pipelines without CHUNKING:
 * one message can be past its DATA at a time there, and the next one's envelope rides with
 * its end of data, so a longer queue gains nothing and only ties messages to one connection.
 */
const DATA_WINDOW = 4;
/** How many connections one message may be handed to (a first try and retries). */
const MAX_ATTEMPTS = 3;

/**
 * Whether a failed message may be sent again on another connection: only when the server
 * cannot have taken it (its end of data never went out unanswered: the engine marks that
 * case `maybe-delivered`), its body can be read again, and the connection rather than the
 * message was at fault (the server closed, reset or stalled a connection, shut it down with
 * 421, refused the pipelining, or another message's abort or failure took it down).
 * `establishing`: whether a connection that failed before it was ready may be replaced.
 */
function mayRetry(
  connection: Connection,
  send: QueuedSend,
  result: SendResult,
  establishing: boolean,
): boolean {
  if (result.ok || send.attempts >= MAX_ATTEMPTS || send.signal?.aborted) return false;
  const error = result.error;
  if (error.detail === "maybe-delivered") return false;
  // A data stream read once (a ReadableStream attachment) cannot give the body again.
  if (result.dataSent && !send.message.replayable) return false;
  if (error.kind === "aborted") {
    return connection.abortedBy !== undefined && connection.abortedBy !== send;
  }
  const stale = connectionFault(error);
  return connection.everReady ? stale : establishing && stale;
}

/** A failure of the connection, not the server's word on the message. */
function connectionFault(error: SmtpError): boolean {
  return (
    error.kind === "connection" ||
    error.kind === "timeout" ||
    error.code === 421 ||
    (error.kind === "protocol" && error.retryable)
  );
}

/** How long the pool stays below maxConnections after the server refused one more connection. */
const REDUCED_CAP_MS = 60_000;

/**
 * Delivers queued messages over up to `maxConnections` connections: reuses them for many
 * messages, pipelines several per connection when the server allows, recycles a connection
 * after `maxMessages`, closes idle ones after `idleTimeout`, and replaces a connection the
 * server closed. Without pooling (`maxMessages: 1`) every message gets its own connection,
 * and its outcome is reported only once that connection is closed.
 *
 * @since 0.1.0
 */
export class Pool {
  readonly #options: ResolvedOptions;
  readonly #connector: () => Promise<Connector>;
  readonly #sessionFactory: SessionFactory | undefined;
  readonly #queue: QueuedSend[] = [];
  readonly #connections = new Set<Connection>();
  readonly #idleTimers = new Map<Connection, ReturnType<typeof setTimeout>>();
  /** Unpooled outcomes, reported once their connection has closed. */
  readonly #deferred = new Map<Connection, (() => void)[]>();
  #closing = false;
  #drained: (() => void)[] = [];
  #dispatchScheduled = false;
  #seq = 0;
  /** Start times (monotonic ms) of recent messages, for the rate limit. */
  readonly #starts: number[] = [];
  #rateTimer: ReturnType<typeof setTimeout> | undefined;
  /** A lower connection cap after the server refused a connection, and until when. */
  #reducedCap = Infinity;
  #reducedUntil = 0;
  /** Connections in a row that closed before they were ready. */
  #failedToEstablish = 0;

  constructor(
    options: ResolvedOptions,
    connector: () => Promise<Connector>,
    sessionFactory?: SessionFactory,
  ) {
    this.#options = options;
    this.#connector = connector;
    this.#sessionFactory = sessionFactory;
  }

  /** Queues a message; its promise settles through `send.resolve` / `send.reject`. */
  enqueue(send: QueuedSend): void {
    if (send.signal) {
      const signal = send.signal;
      const onAbort = () => this.#abort(send, signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      const { resolve, reject } = send;
      send.resolve = (r) => {
        signal.removeEventListener("abort", onAbort);
        resolve(r);
      };
      send.reject = (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      };
    }
    send.seq = this.#seq++;
    this.#queue.push(send);
    this.#dispatch();
  }

  /** Waits for every queued message, then QUITs every connection and waits for them to close. */
  close(): Promise<void> {
    this.#closing = true;
    for (const connection of this.#connections) this.#maybeIdle(connection);
    return new Promise((resolve) => {
      this.#drained.push(resolve);
      this.#checkDrained();
    });
  }

  #abort(send: QueuedSend, reason: unknown): void {
    if (send.settled) return;
    const index = this.#queue.indexOf(send);
    if (index >= 0) {
      this.#queue.splice(index, 1);
      this.#settle(send, failedResult(abortError(reason), false));
      this.#checkDrained();
      return;
    }
    send.assigned?.abort(send, reason);
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      if (!this.#rateAllows()) break;
      const connection = this.#pick(this.#queue[0]!);
      if (!connection) break;
      // Rate-limited messages are handed only to ready connections, so that a message counts
      // as started when it really starts, not when a connection it waits for was opened.
      if (this.#options.pool.rateLimit && connection.state !== "ready") break;
      const send = this.#queue.shift()!;
      this.#clearIdle(connection);
      send.assigned = connection;
      if (this.#options.pool.rateLimit) this.#starts.push(monotonicNow());
      connection.submit(send);
    }
  }

  /** Whether the rate limit lets one more message start now; if not, dispatch again when it will. */
  #rateAllows(): boolean {
    const limit = this.#options.pool.rateLimit;
    if (!limit) return true;
    const now = monotonicNow();
    while (this.#starts.length > 0 && this.#starts[0]! <= now - limit.interval)
      this.#starts.shift();
    if (this.#starts.length < limit.messages) return true;
    if (this.#rateTimer === undefined) {
      const wait = this.#starts[0]! + limit.interval - now;
      this.#rateTimer = setTimeout(
        () => {
          this.#rateTimer = undefined;
          this.#dispatch();
          this.#checkDrained();
        },
        Math.max(1, Math.ceil(wait)),
      );
    }
    return false;
  }

  /** Later, once the driver has acted on everything the session reported at once. */
  #scheduleDispatch(): void {
    if (this.#dispatchScheduled) return;
    this.#dispatchScheduled = true;
    queueMicrotask(() => {
      this.#dispatchScheduled = false;
      this.#dispatch();
      this.#checkDrained();
    });
  }

  #pick(next: QueuedSend): Connection | undefined {
    const { maxMessages } = this.#options.pool;
    const maxConnections =
      monotonicNow() < this.#reducedUntil
        ? Math.min(this.#reducedCap, this.#options.pool.maxConnections)
        : this.#options.pool.maxConnections;
    // An idle connection first, then a new one, then one that can pipeline another message.
    let pipelining: Connection | undefined;
    for (const c of this.#connections) {
      if (!c.open || c.submitted >= maxMessages || c.state !== "ready") continue;
      if (c.load === 0) return c;
      if (this.#mayPipeline(c, next)) pipelining ??= c;
    }
    if (this.#connections.size < maxConnections) return this.#open();
    return pipelining;
  }

  /**
   * Whether a busy connection may take `send` too: the server pipelines, and the window
   * (`maxInFlight` messages with CHUNKING, at most {@link DATA_WINDOW} without) and the
   * byte bound (`maxInFlightBytes`; a message of unknown size only on an idle connection)
   * both have room.
   */
  #mayPipeline(c: Connection, send: QueuedSend): boolean {
    const caps = c.capabilities;
    if (caps?.pipelining !== true) return false;
    const { maxInFlight, maxInFlightBytes } = this.#options.pool;
    const window = caps.chunking ? maxInFlight : Math.min(maxInFlight, DATA_WINDOW);
    return c.load < window && c.inFlightBytes + (send.job.size ?? Infinity) <= maxInFlightBytes;
  }

  #open(): Connection {
    const events: ConnectionEvents = {
      ready: (c) => {
        this.#failedToEstablish = 0;
        this.#maybeIdle(c);
        this.#scheduleDispatch();
      },
      result: (c, send, result) => this.#onResult(c, send, result),
      closed: (c, info) => this.#onClosed(c, info),
    };
    const connection = new Connection(
      this.#options,
      this.#connector(),
      events,
      this.#sessionFactory,
    );
    this.#connections.add(connection);
    return connection;
  }

  #onResult(connection: Connection, send: QueuedSend, result: SendResult): void {
    send.assigned = undefined;
    const others = this.#connections.size - (this.#connections.has(connection) ? 1 : 0);
    if (!result.ok && !connection.everReady && others > 0) {
      // The server turned this connection away while others are open or opening ("421 too
      // many connections"): use no more than those for a while, and let them take the message.
      const now = monotonicNow();
      const current = now < this.#reducedUntil ? this.#reducedCap : Infinity;
      this.#reducedCap = Math.min(current, others);
      this.#reducedUntil = now + REDUCED_CAP_MS;
    }
    const establishing =
      others > 0 || (!result.ok && this.#mayReplace(connection, result.error, 1));
    if (!result.ok && mayRetry(connection, send, result, establishing)) {
      // A connection that delivered other messages before it went away (a server's
      // per-connection limit, an idle timeout) is not this message's fault: that try is free.
      if (connection.delivered > 0) send.attempts--;
      const at = this.#queue.findIndex((queued) => (queued.seq ?? 0) > (send.seq ?? 0));
      this.#queue.splice(at < 0 ? this.#queue.length : at, 0, send);
    } else if (this.#options.pool.pooled) {
      this.#settle(send, result);
    } else {
      // One connection per message: report once the connection is closed, so that no
      // socket outlives the send.
      const list = this.#deferred.get(connection) ?? [];
      list.push(() => this.#settle(send, result));
      this.#deferred.set(connection, list);
    }
    this.#maybeIdle(connection);
    this.#scheduleDispatch();
  }

  #onClosed(connection: Connection, info: CloseInfo): void {
    this.#connections.delete(connection);
    this.#clearIdle(connection);
    for (const settle of this.#deferred.get(connection) ?? []) settle();
    this.#deferred.delete(connection);
    // A connection that never got ready failed to establish (refused, TLS, AUTH …): when no
    // other connection is left, the queued messages fail with the same error instead of
    // opening one failing connection after another (the reduced cap keeps the others from
    // being replaced meanwhile). A transient fault after the connection opened (a reset, a
    // silent or 421 greeting) gets a fresh connection, a few times in a row at most. A
    // message's abort says nothing about the server: the others just get a new connection.
    if (!connection.everReady && info.error && connection.abortedBy === undefined) {
      this.#failedToEstablish++;
      const replace = this.#mayReplace(connection, info.error, 0);
      if (this.#connections.size === 0 && !replace) {
        for (const send of this.#queue.splice(0)) {
          this.#settle(send, failedResult(info.error, false));
        }
      }
    }
    this.#dispatch();
    this.#checkDrained();
  }

  /**
   * Whether a connection that failed before it was ready may be replaced by a new one: it
   * opened, then was reset, closed or shut down with 421, and fewer than MAX_ATTEMPTS
   * connections in a row failed so (`pending`: failures not counted yet).
   */
  #mayReplace(connection: Connection, error: SmtpError, pending: number): boolean {
    if (connection.everReady || !connection.everConnected) return false;
    // Not after a timeout: a server that never answers would cost that wait again and again.
    const transient = error.kind === "connection" || error.code === 421;
    return transient && this.#failedToEstablish + pending < MAX_ATTEMPTS;
  }

  #settle(send: QueuedSend, result: SendResult): void {
    if (send.settled) return;
    send.settled = true;
    if (result.ok) send.resolve(result);
    else send.reject(result.error as SmtpError);
  }

  /** QUIT a connection with nothing to do when it is spent or the pool is closing; else arm its idle timer. */
  #maybeIdle(connection: Connection): void {
    if (connection.load > 0 || !connection.open || connection.state !== "ready") {
      if (this.#closing && connection.load === 0 && connection.open && this.#queue.length === 0) {
        connection.quit();
      }
      return;
    }
    const { maxMessages, idleTimeout } = this.#options.pool;
    if (this.#closing || connection.submitted >= maxMessages || idleTimeout === 0) {
      if (this.#queue.length === 0 || connection.submitted >= maxMessages) connection.quit();
      return;
    }
    this.#clearIdle(connection);
    this.#idleTimers.set(
      connection,
      setTimeout(() => {
        this.#idleTimers.delete(connection);
        if (connection.load === 0) connection.quit();
      }, idleTimeout),
    );
  }

  #clearIdle(connection: Connection): void {
    const timer = this.#idleTimers.get(connection);
    if (timer !== undefined) clearTimeout(timer);
    this.#idleTimers.delete(connection);
  }

  #checkDrained(): void {
    if (!this.#closing) return;
    if (this.#queue.length === 0) {
      for (const connection of this.#connections) {
        if (connection.load === 0) connection.quit();
      }
    }
    if (this.#queue.length > 0 || this.#connections.size > 0) return;
    if (this.#rateTimer !== undefined) clearTimeout(this.#rateTimer);
    this.#rateTimer = undefined;
    const waiters = this.#drained;
    this.#drained = [];
    for (const resolve of waiters) resolve();
  }
}
