import type { SmtpError } from "../errors.ts";
import type { Transport } from "../transport.ts";
import { type Deferred, deferred, ignore } from "./deferred.ts";
import type { TransportPeer } from "./peer.ts";
import { type RuntimeErrorTable, type TransportStage, toTransportError } from "./runtime-error.ts";
import { abortedError, closedError } from "./transport-errors.ts";

/** What a {@link GuardedTransport} starts from. @since 0.1.0 */
export interface GuardedTransportInit {
  /** The server, named in error messages. */
  peer: TransportPeer;
  /** How to read the runtime's errors. */
  errors: RuntimeErrorTable;
  /** Whether the connection is TLS from the start (implicit TLS). */
  secure: boolean;
}

type State = "open" | "upgrading" | "closing" | "closed";

/**
 * The guard: the bookkeeping every {@link Transport} needs, written once, so that a
 * runtime's transport only moves bytes, upgrades TLS and reports what its runtime said.
 * A subclass implements five primitives; this class makes them a `Transport`:
 *
 * - one `read()` at a time (a second one is a programming error and rejects); `null`
 *   after end-of-stream, and for a read pending when `close()` or `abort()` is called;
 * - writes run one after another, in order; each resolves when its bytes may be reused;
 *   after `close()` or `abort()` they reject (kind `connection`, or the abort's error);
 * - `startTls()` waits for the writes before it, refuses while a read is pending, and is
 *   refused twice; a failed upgrade ends the connection;
 * - the first failure is kept: the connection is released at once, every pending
 *   operation rejects with it and so does every later one;
 * - `close()` and `abort()` are idempotent, and both may follow the other; `close()`
 *   resolves only when every operation of the runtime has settled and everything is
 *   released, so no socket, timer or pending operation outlives it (call it after
 *   `abort()` to wait for that).
 *
 * Runtime errors become `SmtpError`s through {@link toTransportError} with the runtime's
 * table. The guard has no clock: deadlines belong to the session and its driver, which
 * call `abort()` when one passes.
 *
 * @since 0.1.0
 */
export abstract class GuardedTransport implements Transport {
  readonly #peer: TransportPeer;
  readonly #errors: RuntimeErrorTable;
  #secure: boolean;
  #state: State = "open";
  /** `closeWrite()` was called: no more writes. */
  #writeClosed = false;
  #eof = false;
  #failure: SmtpError | undefined;
  #aborted: SmtpError | undefined;
  #reader: Deferred<Uint8Array | null> | undefined;
  /**
   * Writes not yet settled, oldest first. Arrays rather than a `Set`, here and for the
   * running operations below: V8 keeps a `Set`'s outgrown tables, each holding the entries it
   * had and a link to the next table, until a full collection; once one of them had reached
   * the old generation, every later write and read of a long connection was kept alive
   * through that chain past the young collections, and promoted.
   */
  #writers: Deferred<void>[] = [];
  #writeTail: Promise<void> = Promise.resolve();
  /** Writes handed to the runtime (or waiting for their turn) and not yet settled. */
  #writesPending = 0;
  #upgrader: Deferred<void> | undefined;
  /** Operations of the runtime not yet settled: nothing is released before they are. */
  #running = 0;
  /** Resolved when `#running` falls to zero, while {@link GuardedTransport.#release} waits. */
  #settled: Deferred<void> | undefined;
  readonly #released = deferred<void>();
  #releasing = false;

  protected constructor(init: GuardedTransportInit) {
    this.#peer = init.peer;
    this.#errors = init.errors;
    this.#secure = init.secure;
  }

  // ------------------------------------------------------------ what a runtime provides

  /** The next chunk the runtime received, or `null` at end-of-stream. Never called twice at once. */
  protected abstract receive(): Promise<Uint8Array | null>;

  /** Hands all of `bytes` to the runtime; resolves when the caller may reuse them. Never called twice at once. */
  protected abstract send(bytes: Uint8Array): Promise<void>;

  /**
   * Upgrades the connection to TLS in place, verifying the certificate against
   * `servername` (or the transport's configured name). Never called while a read or a
   * write is running. Whatever it opens must be reachable by {@link destroy} as soon as
   * it exists, and closed at once when {@link ending} is already true by then.
   */
  protected abstract upgrade(servername: string): Promise<void>;

  /** Ends the connection gracefully; resolves once the runtime has released it. */
  protected abstract shutdown(): Promise<void>;

  /**
   * Ends the sending direction only, reading on (see {@link GuardedTransport.closeWrite});
   * never called while a write is running. By default nothing: a runtime without a
   * half-close leaves the connection as it is, and the server closes it after its reply.
   */
  protected endWrite(): void | Promise<void> {}

  /**
   * Releases the connection at once (every pending operation of the runtime then settles).
   * Idempotent, and called again after every operation has settled, to release anything an
   * operation still opened.
   */
  protected abstract destroy(): void;

  // ------------------------------------------------------------ the Transport

  /** Whether the bytes now travel inside TLS. */
  get secure(): boolean {
    return this.#secure;
  }

  /** The server, as given when connecting. */
  protected get peer(): TransportPeer {
    return this.#peer;
  }

  /** Whether `close()`, `abort()` or a failure has begun to release the connection. */
  protected get ending(): boolean {
    return this.#state === "closing" || this.#state === "closed";
  }

  /** The next chunk from the server, or `null` at end-of-stream (or after `close`/`abort`). */
  read(): Promise<Uint8Array | null> {
    if (this.#reader) return Promise.reject(new Error("read() is already pending"));
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#state === "upgrading") {
      return Promise.reject(new Error("read() during the STARTTLS handshake"));
    }
    if (this.#state !== "open" || this.#eof) return Promise.resolve(null);
    const reader = deferred<Uint8Array | null>();
    this.#reader = reader;
    this.#run(
      this.receive(),
      (chunk) => {
        if (this.#reader !== reader) return;
        this.#reader = undefined;
        if (chunk === null) this.#eof = true;
        reader.resolve(chunk);
      },
      (error: unknown) => {
        if (this.#reader === reader) this.#fail(error, "read");
      },
    );
    return reader.promise;
  }

  /** Sends `bytes` after the writes before it; resolves when the caller may reuse them. */
  write(bytes: Uint8Array): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#state !== "open" || this.#writeClosed) {
      return Promise.reject(closedError(this.#peer, "write"));
    }
    const writer = deferred<void>();
    this.#writers.push(writer);
    // With no write before it, the bytes go to the runtime at once; otherwise after those
    // writes, and not at all when close, abort or a failure settled this one before its turn.
    const sending =
      this.#writesPending === 0
        ? this.#sendNow(bytes)
        : this.#writeTail.then(() =>
            this.#writers.includes(writer) ? this.send(bytes) : undefined,
          );
    this.#writesPending++;
    this.#writeTail = sending.then(ignore, ignore);
    this.#run(
      sending,
      () => {
        this.#writesPending--;
        if (this.#forgetWriter(writer)) writer.resolve();
      },
      (error: unknown) => {
        this.#writesPending--;
        if (this.#writers.includes(writer)) this.#fail(error, "write");
      },
    );
    return writer.promise;
  }

  /** {@link GuardedTransport.send} now, a synchronous throw as a rejection. */
  #sendNow(bytes: Uint8Array): Promise<void> {
    try {
      return this.send(bytes);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Ends the sending direction once the writes before it are out (a half-close), and keeps
   * reading: the server's last reply and its end-of-stream still arrive. Later writes and
   * `startTls()` reject. Rejects, as the reads then do, when the runtime fails to end it
   * (unless `close()` or `abort()` came first). Idempotent; after `close()`, `abort()` or a
   * failure, and during STARTTLS, it does nothing.
   */
  closeWrite(): Promise<void> {
    if (this.#state !== "open" || this.#writeClosed) return Promise.resolve();
    this.#writeClosed = true;
    const ending = this.#writeTail.then(() =>
      this.#state === "open" ? this.endWrite() : undefined,
    );
    return this.#track(ending).catch((error: unknown) => {
      // Closed or aborted meanwhile: the runtime's failure to end no longer matters.
      if (this.#state !== "open") return;
      this.#fail(error, "write");
      throw this.#failure;
    });
  }

  /** Upgrades the connection to TLS in place (STARTTLS), verifying the server's certificate. */
  async startTls(options: { servername: string }): Promise<void> {
    if (this.#failure) throw this.#failure;
    if (this.#secure || this.#state === "upgrading") {
      throw new Error("the connection is already secure or being upgraded");
    }
    if (this.#state !== "open" || this.#writeClosed) throw closedError(this.#peer, "startTls");
    if (this.#reader) throw new Error("startTls() while a read() is pending");
    const upgrader = deferred<void>();
    this.#upgrader = upgrader;
    this.#state = "upgrading";
    // Writes queued before go out in plaintext first, as the caller ordered them.
    const upgrading = this.#writeTail.then(() => {
      if (this.#upgrader !== upgrader) return undefined;
      return this.upgrade(options.servername);
    });
    this.#run(
      upgrading,
      () => {
        if (this.#upgrader !== upgrader) return;
        this.#upgrader = undefined;
        this.#secure = true;
        this.#state = "open";
        upgrader.resolve();
      },
      (error: unknown) => {
        if (this.#upgrader === upgrader) this.#fail(error, "starttls");
      },
    );
    return upgrader.promise;
  }

  /**
   * Ends the connection gracefully: a pending read resolves `null`, pending writes reject.
   * Resolves once everything is released. Idempotent; during a STARTTLS handshake it aborts.
   */
  close(): Promise<void> {
    if (this.#state === "upgrading") this.abort();
    if (this.#state === "open") {
      this.#state = "closing";
      this.#settle(closedError(this.#peer, "write"), null);
      const shutdown = this.#track(this.shutdown());
      shutdown.catch(() => this.destroy());
      this.#release();
    }
    return this.#released.promise;
  }

  /**
   * Destroys the connection at once: a pending read resolves `null`; pending writes and a
   * pending `startTls` reject with the abort's error. Idempotent.
   */
  abort(reason?: unknown): void {
    if (this.#aborted || this.#state === "closed") return;
    const error = abortedError(reason, this.#peer);
    this.#aborted = error;
    this.#state = "closing";
    this.#settle(error, null);
    this.destroy();
    this.#release();
  }

  // ------------------------------------------------------------ bookkeeping

  /** The first failure: kept, reported to every pending operation, and the connection released. */
  #fail(error: unknown, stage: TransportStage): void {
    if (this.#state === "closing" || this.#state === "closed") return;
    const failure = toTransportError(error, this.#errors, this.#peer, stage);
    this.#failure = failure;
    this.#state = "closing";
    this.#settle(failure, failure);
    this.destroy();
    this.#release();
  }

  /** Settles every pending operation: the read with `read` (a value or an error), the rest with `error`. */
  #settle(error: SmtpError, read: SmtpError | null): void {
    const reader = this.#reader;
    this.#reader = undefined;
    if (read === null) reader?.resolve(null);
    else reader?.reject(read);
    const writers = this.#writers;
    this.#writers = [];
    for (const writer of writers) writer.reject(error);
    const upgrader = this.#upgrader;
    this.#upgrader = undefined;
    upgrader?.reject(error);
  }

  /** Tracks a runtime operation until it settles (see {@link GuardedTransport.#release}). */
  #track<T>(operation: Promise<T>): Promise<T> {
    this.#run(operation, ignore, ignore);
    return operation;
  }

  /**
   * Tracks a runtime operation and handles its outcome, in one reaction: the same as
   * `#track(operation).then(onValue, onError)` with one promise and two closures fewer, which
   * every read and write pays.
   */
  #run<T>(
    operation: Promise<T>,
    onValue: (value: T) => void,
    onError: (error: unknown) => void,
  ): void {
    this.#running++;
    operation.then(
      (value) => {
        this.#done();
        onValue(value);
      },
      (error: unknown) => {
        this.#done();
        onError(error);
      },
    );
  }

  /** A tracked operation settled. */
  #done(): void {
    this.#running--;
    if (this.#running === 0) this.#settled?.resolve();
  }

  /** Unregisters a write that settled; whether it was still registered. */
  #forgetWriter(writer: Deferred<void>): boolean {
    const at = this.#writers.indexOf(writer);
    if (at < 0) return false;
    this.#writers.splice(at, 1);
    return true;
  }

  /** Waits for every runtime operation to settle, releases what is left, then resolves `close()`. */
  #release(): void {
    if (this.#releasing) return;
    this.#releasing = true;
    const drain = async (): Promise<void> => {
      while (this.#running > 0) {
        this.#settled = deferred();
        await this.#settled.promise;
      }
      this.#settled = undefined;
      this.destroy();
      this.#state = "closed";
      this.#released.resolve();
    };
    void drain();
  }
}
