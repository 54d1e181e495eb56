import type { AwaitedReply } from "./connection.ts";
import { SmtpError, type TimeoutPhase } from "./errors.ts";
import type { Capabilities, Reply } from "./reply-types.ts";
import { type OnReply, SessionLink } from "./session-link.ts";
import type { Action, JobId, SendJob, SessionApi, SessionOptions } from "./session-types.ts";
import { SetupMachine } from "./setup-machine.ts";
import type { SessionState } from "./state.ts";
import { TransactionMachine } from "./transaction-machine.ts";
import { invalidInput } from "./validate.ts";

/**
 * The sans-I/O SMTP/LMTP client session: bytes, end-of-stream and the time go in; bytes to
 * write, the next deadline and {@link Action}s come out. It runs greeting → EHLO (HELO
 * fallback, LHLO for LMTP) → STARTTLS → EHLO → AUTH → transactions → QUIT.
 *
 * Drive it as {@link SessionApi} says: write every chunk {@link Session.pollTransmit}
 * returns, then handle one {@link Session.pollAction} (handling it may queue bytes), until
 * both are empty; only then read, with {@link Session.pollTimeout} as the deadline.
 *
 * Inside, two machines share the wire: the connection set-up (greeting, EHLO, STARTTLS,
 * AUTH; its transitions are the rows of `SETUP_ROWS`) and the transactions (MAIL, RCPT,
 * DATA/BDAT, pipelining; each reply handled by the rows of `TX_ROWS`). `docs/states.md` is
 * drawn from both.
 *
 * @example
 * ```ts
 * const session = new Session({ ehloName: "client.example", servername: "mx.example" });
 * session.connected(now());
 * const id = session.send({ from: "a@example.org", to: ["b@example.net"] }, now());
 * // loop: write pollTransmit(), handle one pollAction(), repeat; when both are empty,
 * // read and feed receiveData / receiveEof / handleTimeout.
 * ```
 *
 * @since 0.1.0
 */
export class Session implements SessionApi {
  readonly #link: SessionLink;
  readonly #setup: SetupMachine;
  readonly #transactions: TransactionMachine;
  /** Whether any byte came from the server yet (its first ones are checked for TLS). */
  #heard = false;

  /**
   * @param options - see {@link SessionOptions}.
   * @throws {@link SmtpError} of kind `invalid-input` for an invalid EHLO name or timeouts.
   */
  constructor(options: SessionOptions) {
    this.#link = new SessionLink(options);
    this.#setup = new SetupMachine(this.#link);
    this.#transactions = new TransactionMachine(this.#link);
    this.#link.jobs = this.#transactions;
  }

  /** The current state (see `docs/states.md`). */
  get state(): SessionState {
    return this.#link.state;
  }

  /** The server's capabilities from the latest EHLO/LHLO/HELO; `undefined` before it and right after STARTTLS. */
  get capabilities(): Capabilities | undefined {
    return this.#link.capabilities;
  }

  /** Whether the connection is TLS (implicit, or after STARTTLS). */
  get secure(): boolean {
    return this.#link.secure;
  }

  /** Ready, with nothing queued or in flight. */
  get idle(): boolean {
    return this.#link.is("ready") && this.#link.wire.awaiting === 0 && this.#transactions.empty;
  }

  /**
   * Bytes of an unfinished reply line held by the engine. Bounded: never more than
   * `limits.maxLineLength` + 1 (R12).
   */
  get receiveBuffered(): number {
    return this.#link.wire.buffered;
  }

  // ------------------------------------------------------------------ inputs

  /** The transport is open (already TLS when `secure`): the greeting deadline starts. */
  connected(now: number): void {
    if (!this.#link.is("connecting")) return;
    this.#setup.dispatch({ type: "connected", now });
  }

  /** Bytes from the server, in any chunking. Bad input never throws: it closes with a `protocol` error. */
  receiveData(chunk: Uint8Array, now: number): void {
    const link = this.#link;
    if (link.is("closed") || chunk.length === 0) return;
    if (link.is("connecting")) {
      link.fatal(
        new SmtpError({
          kind: "protocol",
          message: "data received before connected()",
          detail: "unexpected-reply",
          retryable: false,
        }),
        "error",
      );
      return;
    }
    if (link.is("tls-pending")) {
      link.fatal(injection(), "error");
      return;
    }
    const first = !this.#heard;
    this.#heard = true;
    if (first && !link.secure && isTlsRecord(chunk)) {
      // A TLS record where the greeting should be: the server expects implicit TLS.
      link.fatal(tlsOnPlaintext(), "error");
      return;
    }
    try {
      link.wire.receive(chunk);
      for (;;) {
        if (link.is("tls-pending")) {
          if (link.wire.unread) throw injection();
          break;
        }
        const matched = link.wire.nextReply();
        if (matched === null) break;
        this.#onReply(matched.reply, matched.awaited, now);
        if (link.is("closed")) return;
      }
    } catch (error) {
      if (!(error instanceof SmtpError)) throw error;
      link.fatal(error, "error");
      return;
    }
    this.#setup.requestUpgrade();
    this.#transactions.pump(now);
  }

  /** The server closed the connection. */
  receiveEof(now: number): void {
    const link = this.#link;
    if (link.is("closed")) return;
    link.wire.record("*", "end of stream");
    if (link.is("quitting")) {
      link.closeAfterQuit();
      return;
    }
    void now;
    link.fatal(
      new SmtpError({
        kind: "connection",
        message: "the server closed the connection",
        detail: "eof",
        retryable: true,
      }),
      "eof",
    );
  }

  /** The TLS handshake asked for by `upgrade-tls` succeeded: capabilities are forgotten and EHLO is sent again. */
  tlsEstablished(now: number): void {
    if (!this.#link.is("tls-pending")) {
      if (this.#link.is("closed")) return;
      throw invalidInput("tlsEstablished() without an upgrade-tls action", "out-of-sequence");
    }
    this.#setup.dispatch({ type: "tls-established", now });
  }

  /**
   * The answer to a `need-token` action: AUTH is tried again with the fresh access token,
   * or, given an error (the provider failed), the session fails with it and QUITs.
   */
  tokenRefreshed(token: string | SmtpError, now: number): void {
    // A late answer: the session already ended (a timeout, the server went away).
    if (this.#link.is("closed") || this.#link.is("quitting")) return;
    if (!this.#setup.awaitingToken) {
      throw invalidInput("tokenRefreshed() without a need-token action", "out-of-sequence");
    }
    this.#setup.tokenArrived(token, now);
  }

  /** Call when `now >= pollTimeout()`: raises a `timeout` error naming the phase, or ends QUIT. */
  handleTimeout(now: number): void {
    const link = this.#link;
    const deadline = this.pollTimeout();
    if (deadline === null || now < deadline || link.is("closed")) return;
    if (link.is("quitting")) {
      link.closeAfterQuit();
      return;
    }
    const phase = this.#phase() ?? "command";
    const head = link.wire.head?.label;
    link.fatal(
      new SmtpError({
        kind: "timeout",
        message: this.#setup.awaitingToken
          ? "no fresh access token within the command timeout"
          : `no answer from the server in the ${phase} phase`,
        phase,
        retryable: true,
        ...(head === undefined ? {} : { command: head }),
      }),
      "timeout",
    );
  }

  /** The transport failed or the caller aborted: every open job fails with `error`, then `close`. */
  transportFailed(error: SmtpError, now: number): void {
    void now;
    if (this.#link.is("closed")) return;
    this.#link.fatal(error, "error");
  }

  /**
   * Queues a message. Its `result` action comes later; with PIPELINING several queued
   * messages go out back to back, one round trip each.
   *
   * The job's recipients may need more than one transaction (a server's "452 too many
   * recipients"): `need-body` is then asked again for the same id, and the body must be
   * fed again from its start.
   *
   * @throws {@link SmtpError} of kind `invalid-input` (CR/LF/NUL, an address starting with
   *   "-", no recipient, a bad ENVID…) before any byte is produced.
   */
  send(job: SendJob, now: number): JobId {
    return this.#transactions.send(job, now);
  }

  /**
   * Raw message bytes (any line endings) for the job of the last `need-body` action.
   *
   * Memory: a chunk of `BODY_COPY_LIMIT` (64 KiB) or more is not copied when it needs no
   * change (CRLF line ends, no dot at a line start, or BINARYMIME), so the
   * {@link Session.pollTransmit} output that carries it may be, or contain, the caller's own
   * bytes. Keep such a chunk unchanged until `pollTransmit()` has been drained (returned
   * `null`) after this call and every chunk it returned has been written (the transport's
   * `write()` resolved). A shorter chunk is always copied: its memory may be reused as soon
   * as `bodyChunk` returns, and its output may wait while the next chunk is pulled.
   */
  bodyChunk(id: JobId, chunk: Uint8Array, now: number): void {
    this.#transactions.bodyChunk(id, chunk, now);
  }

  /** The whole body of job `id` was given: the end of data is written. */
  bodyEnd(id: JobId, now: number): void {
    this.#transactions.bodyEnd(id, now);
  }

  /** Sends NOOP when the session is idle (keep-alive); otherwise does nothing. */
  noop(now: number): void {
    if (!this.idle) return;
    this.#link.command({ name: "NOOP" }, "command", () => {}, now);
  }

  /** Sends QUIT once every queued message is done, then closes. */
  quit(now: number): void {
    const link = this.#link;
    if (link.is("closed") || link.is("quitting")) return;
    if (link.is("connecting")) {
      link.close("quit", undefined);
      return;
    }
    this.#transactions.quit(now);
  }

  // ------------------------------------------------------------------ outputs

  /**
   * The next bytes to write, or `null`: everything produced so far in one chunk, except that
   * a body chunk of `BODY_COPY_LIMIT` or more comes on its own (never copied), after a call
   * that returns what was produced before it. Call until `null`. With the `lendOutput`
   * option, joined output is the session's own buffer, valid until the next call.
   */
  pollTransmit(): Uint8Array | null {
    return this.#link.wire.pollTransmit();
  }

  /** The next action, or `null`. `close` is always the last one. */
  pollAction(): Action | null {
    return this.#link.actions.shift() ?? null;
  }

  /** The absolute deadline for the next input; `null` only when nothing is outstanding. */
  pollTimeout(): number | null {
    const phase = this.#phase();
    return phase === null ? null : this.#link.deadline(phase);
  }

  // ------------------------------------------------------------------ machinery

  #phase(): TimeoutPhase | null {
    const link = this.#link;
    if (link.is("closed") || link.is("connecting")) return null;
    if (link.is("tls-pending")) return this.#setup.upgradeAsked ? "tls" : "command";
    if (this.#transactions.bodyInProgress) return "data-block";
    if (this.#setup.awaitingToken) return "command";
    return link.wire.head?.phase ?? null;
  }

  #onReply(reply: Reply, awaited: AwaitedReply<OnReply> | undefined, now: number): void {
    const link = this.#link;
    link.since = now;
    if (reply.code === 421 && !link.is("quitting")) {
      // The server is going away, answering a command or not (RFC 5321 §3.8). A 421 to an
      // end of data, or to a BDAT chunk written before it, says that message was not taken:
      // the replies an ended transaction awaits come before any other (and with nothing
      // awaited, no transaction is ended).
      const answered = this.#transactions.endedTransaction();
      link.fatal(
        new SmtpError({
          kind: "connection",
          message: "the server is closing the connection (421)",
          reply,
          retryable: true,
          ...(awaited?.label === undefined ? {} : { command: awaited.label }),
        }),
        "error",
        answered,
      );
      return;
    }
    if (awaited === undefined) {
      link.closeAfterQuit();
      return;
    }
    awaited.context(reply);
  }
}

/** Bytes before the TLS handshake that STARTTLS's 220 asked for (R7). */
function injection(): SmtpError {
  return new SmtpError({
    kind: "protocol",
    message: "the server sent data after 220 to STARTTLS before the TLS handshake",
    detail: "starttls-injection",
    command: "STARTTLS",
    retryable: false,
  });
}

/**
 * Whether `bytes` start like a TLS record (handshake 22 or alert 21, version 3.x): no SMTP
 * reply starts so, but a server that expects implicit TLS may answer plaintext this way.
 */
function isTlsRecord(bytes: Uint8Array): boolean {
  return (bytes[0] === 0x15 || bytes[0] === 0x16) && bytes[1] === 0x03;
}

/** TLS where the plaintext greeting should be, with the option that fixes it. */
function tlsOnPlaintext(): SmtpError {
  return new SmtpError({
    kind: "tls",
    message:
      "the server answered with TLS on a plaintext connection: it expects implicit TLS (secure: true, usually port 465)",
    detail: "tls-on-plaintext",
    retryable: false,
  });
}
