import { decodeBase64, encodeBase64 } from "./base64.ts";
import { BODY_COPY_LIMIT } from "./body-copy-limit.ts";
import { utf8 } from "./bytes.ts";
import { parseCapabilities } from "./capabilities.ts";
import type { Command } from "./command.ts";
import { type AwaitedReply, Connection } from "./connection.ts";
import { DataEncoder } from "./data-encoder.ts";
import { type RecipientRejection, SmtpError, type TimeoutPhase } from "./errors.ts";
import { DEFAULT_LIMITS, DEFAULT_TIMEOUTS } from "./limits.ts";
import type { Capabilities, Reply } from "./reply-types.ts";
import { chooseMechanism, createSaslClient, type SaslClient } from "./sasl/index.ts";
import type {
  Action,
  JobId,
  SendJob,
  SendResult,
  SessionApi,
  SessionOptions,
  Timeouts,
} from "./session-types.ts";
import { canTransition, type SessionState } from "./state.ts";
import {
  CLOSED_ERROR,
  isTooManyRecipients,
  type JobState,
  mailParameters,
  newTransaction,
  positive,
  rcptCommand,
  rejectionOf,
  type Transaction,
  unsupported,
  validateJob,
} from "./transaction.ts";
import { invalidInput, isValidEhloName } from "./validate.ts";

/** What the session does with a reply: the context of each awaited reply. */
type OnReply = (reply: Reply) => void;

/**
 * The sans-I/O SMTP/LMTP client session: bytes, end-of-stream and the time go in; bytes to
 * write, the next deadline and {@link Action}s come out. It runs greeting → EHLO (HELO
 * fallback, LHLO for LMTP) → STARTTLS → EHLO → AUTH → transactions → QUIT.
 *
 * Drive it by alternating: write every chunk {@link Session.pollTransmit} returns, then
 * handle one {@link Session.pollAction} (handling it may queue bytes), until both are empty;
 * only then read, with {@link Session.pollTimeout} as the deadline.
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
  readonly #options: SessionOptions;
  readonly #timeouts: Timeouts;
  readonly #wire: Connection<OnReply>;
  #state: SessionState = "connecting";
  #secure: boolean;
  #capabilities: Capabilities | undefined;
  #actions: Action[] = [];
  /** When the current wait began: the last command written, reply received or body chunk. */
  #since = 0;
  #heloTried = false;
  #upgradeAsked = false;
  #sasl: SaslClient | undefined;
  #heldInitialResponse: Uint8Array | undefined;
  /** Messages (or the rest of one, after "452 too many recipients") waiting to start; `reset` when it must begin with RSET. */
  #queue: { js: JobState; recipients: string[]; reset?: boolean }[] = [];
  #active: Transaction[] = [];
  #bodyTx: Transaction | undefined;
  #nextId = 1;
  /**
   * Whether a transaction may start before the earlier ones' outcomes are known (behind
   * their end of data, with RSET first). Off for the rest of the connection once the server
   * refused it (e.g. Haraka's 503 to anything pipelined after the end of DATA).
   */
  #speculate = true;
  #quitRequested = false;
  #readyAnnounced = false;
  /** Set when the session is being ended with QUIT because of this error. */
  #closeError: SmtpError | undefined;

  /**
   * @param options - see {@link SessionOptions}.
   * @throws {@link SmtpError} of kind `invalid-input` for an invalid EHLO name or timeouts.
   */
  constructor(options: SessionOptions) {
    if (typeof options.ehloName !== "string" || !isValidEhloName(options.ehloName)) {
      throw invalidInput("ehloName must be a domain or an address literal", "bad-ehlo-name");
    }
    this.#options = options;
    this.#timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    for (const value of Object.values(this.#timeouts)) {
      if (typeof value !== "number" || !(value > 0))
        throw invalidInput("timeouts must be positive numbers");
    }
    this.#wire = new Connection({
      limits: { ...DEFAULT_LIMITS, ...options.limits },
      transcript: options.transcript,
    });
    this.#secure = options.secure === true;
  }

  /** The current state (see `docs/states.md`). */
  get state(): SessionState {
    return this.#state;
  }

  /** The server's capabilities from the latest EHLO/LHLO/HELO; `undefined` before it and right after STARTTLS. */
  get capabilities(): Capabilities | undefined {
    return this.#capabilities;
  }

  /** Whether the connection is TLS (implicit, or after STARTTLS). */
  get secure(): boolean {
    return this.#secure;
  }

  /** Ready, with nothing queued or in flight. */
  get idle(): boolean {
    return (
      this.#state === "ready" &&
      this.#wire.awaiting === 0 &&
      this.#queue.length === 0 &&
      this.#active.length === 0
    );
  }

  /**
   * Bytes of an unfinished reply line held by the engine. Bounded: never more than
   * `limits.maxLineLength` + 1 (R12).
   */
  get receiveBuffered(): number {
    return this.#wire.buffered;
  }

  // ------------------------------------------------------------------ inputs

  /** The transport is open (already TLS when `secure`): the greeting deadline starts. */
  connected(now: number): void {
    if (this.#state !== "connecting") return;
    this.#since = now;
    this.#go("greeting");
    this.#wire.expect({ label: undefined, phase: "greeting", context: (r) => this.#onGreeting(r) });
  }

  /** Bytes from the server, in any chunking. Bad input never throws: it closes with a `protocol` error. */
  receiveData(chunk: Uint8Array, now: number): void {
    if (this.#state === "closed" || chunk.length === 0) return;
    if (this.#state === "connecting") {
      this.#fatal(
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
    if (this.#state === "tls-pending") {
      this.#fatal(this.#injection(), "error");
      return;
    }
    try {
      this.#wire.receive(chunk);
      for (;;) {
        if (this.#is("tls-pending")) {
          if (this.#wire.unread) throw this.#injection();
          break;
        }
        const matched = this.#wire.nextReply();
        if (matched === null) break;
        this.#onReply(matched.reply, matched.awaited, now);
        if (this.#is("closed")) return;
      }
    } catch (error) {
      if (!(error instanceof SmtpError)) throw error;
      this.#fatal(error, "error");
      return;
    }
    if (this.#is("tls-pending") && !this.#upgradeAsked) {
      // R7: ask for the upgrade only when nothing follows the 220.
      this.#upgradeAsked = true;
      this.#actions.push({ type: "upgrade-tls", servername: this.#options.servername });
    }
    this.#pump(now);
  }

  /** The server closed the connection. */
  receiveEof(now: number): void {
    if (this.#state === "closed") return;
    this.#wire.record("*", "end of stream");
    if (this.#state === "quitting") {
      this.#closeAfterQuit();
      return;
    }
    void now;
    this.#fatal(
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
    if (this.#state !== "tls-pending") {
      if (this.#state === "closed") return;
      throw invalidInput("tlsEstablished() without an upgrade-tls action", "out-of-sequence");
    }
    this.#wire.record("*", "TLS established");
    this.#secure = true;
    this.#capabilities = undefined;
    this.#go("ehlo");
    this.#sendHello(now);
  }

  /** Call when `now >= pollTimeout()`: raises a `timeout` error naming the phase, or ends QUIT. */
  handleTimeout(now: number): void {
    const deadline = this.pollTimeout();
    if (deadline === null || now < deadline || this.#state === "closed") return;
    if (this.#state === "quitting") {
      this.#closeAfterQuit();
      return;
    }
    const phase = this.#phase() ?? "command";
    this.#fatal(
      new SmtpError({
        kind: "timeout",
        message: `no answer from the server in the ${phase} phase`,
        phase,
        retryable: true,
        ...(this.#wire.head?.label === undefined ? {} : { command: this.#wire.head.label }),
      }),
      "timeout",
    );
  }

  /** The transport failed or the caller aborted: every open job fails with `error`, then `close`. */
  transportFailed(error: SmtpError, now: number): void {
    void now;
    if (this.#state === "closed") return;
    this.#fatal(error, "error");
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
    validateJob(job);
    const id = this.#nextId++;
    const js: JobState = {
      id,
      job,
      accepted: [],
      rejected: [],
      dataSent: false,
      reply: undefined,
      done: false,
    };
    if (this.#state === "closed" || this.#state === "quitting") {
      this.#finishFailed(js, this.#closeError ?? CLOSED_ERROR());
      return id;
    }
    this.#queue.push({ js, recipients: [...job.to] });
    this.#pump(now);
    return id;
  }

  /**
   * Raw message bytes (any line endings) for the job of the last `need-body` action.
   *
   * Memory: a chunk of {@link BODY_COPY_LIMIT} (64 KiB) or more is not copied when it needs
   * no change (CRLF line ends, no dot at a line start, or BINARYMIME), so the
   * {@link Session.pollTransmit} output that carries it may be, or contain, the caller's own
   * bytes. Keep such a chunk unchanged until `pollTransmit()` has been drained (returned
   * `null`) after this call and every chunk it returned has been written (the transport's
   * `write()` resolved). A shorter chunk is always copied: its memory may be reused as soon
   * as `bodyChunk` returns, and its output may wait while the next chunk is pulled.
   */
  bodyChunk(id: JobId, chunk: Uint8Array, now: number): void {
    const tx = this.#bodyFor(id);
    if (tx === undefined || chunk.length === 0) return;
    this.#since = now;
    const encoded = tx.encoder === undefined ? chunk : tx.encoder.push(chunk);
    if (encoded.length === 0) return;
    // The encoder returns its input when nothing changes; only small chunks are copied then.
    const small = encoded.length < BODY_COPY_LIMIT;
    const bytes = encoded === chunk && small ? chunk.slice() : encoded;
    if (!tx.bdat) {
      tx.js.dataSent = true;
      this.#wire.write(bytes);
      return;
    }
    // BDAT: small pieces are held (they are copies) so that a message that fits in one chunk
    // leaves as a single `BDAT n LAST`; a large one, maybe the caller's own memory, goes now.
    if (tx.heldSize + bytes.length > BODY_COPY_LIMIT) this.#flushHeld(tx);
    if (small) {
      tx.held.push(bytes);
      tx.heldSize += bytes.length;
    } else this.#writeChunk(tx, [bytes], bytes.length, false);
  }

  /** The whole body of job `id` was given: the end of data is written. */
  bodyEnd(id: JobId, now: number): void {
    const tx = this.#bodyFor(id);
    if (tx === undefined) return;
    this.#since = now;
    const tail = tx.encoder === undefined ? new Uint8Array(0) : tx.encoder.end();
    this.#bodyTx = undefined;
    tx.stage = "ended";
    if (tx.bdat) {
      if (tail.length > 0) {
        tx.held.push(tail);
        tx.heldSize += tail.length;
      }
      this.#flushHeld(tx, true);
    } else {
      this.#wire.write(tail);
      this.#wire.record("C", ".");
      this.#wire.expect({
        label: "DATA",
        phase: "data-end",
        context: (r) => this.#onDataEnd(tx, r, 0),
      });
    }
    this.#wire.record("*", "end of message body");
    this.#syncTransactionState();
    this.#pump(now);
  }

  /** Writes the held BDAT bytes as one chunk (the `LAST` one when `last`, even if empty). */
  #flushHeld(tx: Transaction, last = false): void {
    if (tx.heldSize === 0 && !last) return;
    this.#writeChunk(tx, tx.held, tx.heldSize, last);
    tx.held = [];
    tx.heldSize = 0;
  }

  /** One `BDAT size [LAST]` command followed by its bytes. */
  #writeChunk(tx: Transaction, pieces: Uint8Array[], size: number, last: boolean): void {
    if (size > 0) tx.js.dataSent = true;
    if (last) {
      this.#command({ name: "BDAT", size, last: true }, "data-end", (r) =>
        this.#onDataEnd(tx, r, 0),
      );
    } else {
      this.#command({ name: "BDAT", size, last: false }, "data-block", (r) => this.#onBdat(tx, r));
    }
    for (const piece of pieces) this.#wire.write(piece);
  }

  /** Sends NOOP when the session is idle (keep-alive); otherwise does nothing. */
  noop(now: number): void {
    if (!this.idle) return;
    this.#command({ name: "NOOP" }, "command", () => {}, now);
  }

  /** Sends QUIT once every queued message is done, then closes. */
  quit(now: number): void {
    if (this.#state === "closed" || this.#state === "quitting") return;
    this.#quitRequested = true;
    if (this.#state === "connecting") {
      this.#close("quit", undefined);
      return;
    }
    this.#pump(now);
  }

  // ------------------------------------------------------------------ outputs

  /** The next bytes to write (everything produced so far, in one chunk), or `null`. */
  pollTransmit(): Uint8Array | null {
    return this.#wire.pollTransmit();
  }

  /** The next action, or `null`. `close` is always the last one. */
  pollAction(): Action | null {
    return this.#actions.shift() ?? null;
  }

  /** The absolute deadline for the next input; `null` only when nothing is outstanding. */
  pollTimeout(): number | null {
    const phase = this.#phase();
    if (phase === null) return null;
    return this.#since + this.#timeoutOf(phase);
  }

  // ------------------------------------------------------------------ machinery

  /** Reads the state afresh (TypeScript would narrow `#state` across calls that change it). */
  #is(state: SessionState): boolean {
    return this.#state === state;
  }

  #go(to: SessionState): void {
    if (to === this.#state) return;
    if (!canTransition(this.#state, to)) {
      throw new Error(`@smtp/core: illegal transition ${this.#state} -> ${to}`);
    }
    this.#state = to;
  }

  /** Ready, or in a transaction: the states where messages are started and finished. */
  #inTransactions(): boolean {
    return this.#state === "ready" || this.#state === "mail" || this.#state === "data";
  }

  #phase(): TimeoutPhase | null {
    if (this.#state === "closed" || this.#state === "connecting") return null;
    if (this.#state === "tls-pending") return this.#upgradeAsked ? "tls" : "command";
    if (this.#bodyTx !== undefined) return "data-block";
    return this.#wire.head?.phase ?? null;
  }

  #timeoutOf(phase: TimeoutPhase): number {
    switch (phase) {
      case "greeting":
        return this.#timeouts.greeting;
      case "data-start":
        return this.#timeouts.dataStart;
      case "data-block":
        return this.#timeouts.dataBlock;
      case "data-end":
        return this.#timeouts.dataEnd;
      case "quit":
        return this.#timeouts.quit;
      default:
        return this.#timeouts.command;
    }
  }

  /** Writes one command and awaits its reply. */
  #command(
    command: Command,
    phase: TimeoutPhase,
    onReply: (reply: Reply) => void,
    now?: number,
  ): void {
    if (now !== undefined && this.#wire.awaiting === 0) this.#since = now;
    this.#wire.send(command, phase, onReply);
  }

  #injection(): SmtpError {
    return new SmtpError({
      kind: "protocol",
      message: "the server sent data after 220 to STARTTLS before the TLS handshake",
      detail: "starttls-injection",
      command: "STARTTLS",
      retryable: false,
    });
  }

  #onReply(reply: Reply, awaited: AwaitedReply<OnReply> | undefined, now: number): void {
    this.#since = now;
    if (reply.code === 421 && !this.#is("quitting")) {
      // The server is going away, answering a command or not (RFC 5321 §3.8). A 421 to an
      // end of data says that message was not taken.
      const answered =
        awaited?.phase === "data-end" ? this.#active.find((tx) => tx.stage === "ended") : undefined;
      this.#fatal(
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
      this.#closeAfterQuit();
      return;
    }
    awaited.context(reply);
  }

  #replyError(
    kind: SmtpError["kind"],
    message: string,
    reply: Reply,
    command: string | undefined,
  ): SmtpError {
    return new SmtpError({ kind, message, reply, ...(command === undefined ? {} : { command }) });
  }

  // ------------------------------------------------------------------ setup

  #onGreeting(reply: Reply): void {
    if (reply.code === 220) {
      this.#go("ehlo");
      this.#sendHello();
      return;
    }
    this.#abandon(
      this.#replyError("rejected", "the server refused the connection", reply, undefined),
    );
  }

  #sendHello(now?: number): void {
    const name = this.#options.lmtp === true ? "LHLO" : "EHLO";
    this.#command(
      { name, domain: this.#options.ehloName },
      "command",
      (r) => this.#onEhlo(r, name),
      now,
    );
  }

  #onEhlo(reply: Reply, name: string): void {
    if (positive(reply)) {
      this.#capabilities = parseCapabilities(reply);
      this.#afterHello();
      return;
    }
    if ((reply.code === 500 || reply.code === 502) && name === "EHLO" && !this.#heloTried) {
      if (this.#tlsNeeded()) {
        this.#abandon(
          this.#replyError("tls-required", "EHLO refused: STARTTLS is not possible", reply, "EHLO"),
        );
        return;
      }
      if (this.#options.auth !== undefined) {
        this.#abandon(
          this.#replyError("auth-unavailable", "EHLO refused: AUTH is not possible", reply, "EHLO"),
        );
        return;
      }
      this.#heloTried = true;
      this.#go("helo");
      this.#command({ name: "HELO", domain: this.#options.ehloName }, "command", (r) => {
        if (!positive(r)) {
          this.#abandon(this.#replyError("rejected", "HELO refused", r, "HELO"));
          return;
        }
        this.#capabilities = parseCapabilities(r, true);
        this.#startAuth();
      });
      return;
    }
    this.#abandon(this.#replyError("rejected", `${name} refused`, reply, name));
  }

  #tlsNeeded(): boolean {
    return !this.#secure && (this.#options.starttls ?? "required") === "required";
  }

  #afterHello(): void {
    const policy = this.#options.starttls ?? "required";
    if (!this.#secure && policy !== "never" && this.#capabilities!.startTls) {
      this.#go("starttls");
      this.#command({ name: "STARTTLS" }, "command", (r) => this.#onStartTls(r));
      return;
    }
    if (this.#tlsNeeded()) {
      this.#abandon(
        new SmtpError({
          kind: "tls-required",
          message: "TLS is required but the server does not offer STARTTLS",
          retryable: false,
        }),
      );
      return;
    }
    this.#startAuth();
  }

  #onStartTls(reply: Reply): void {
    if (reply.code === 220) {
      this.#go("tls-pending");
      return;
    }
    if (this.#tlsNeeded()) {
      this.#abandon(
        this.#replyError("tls-required", "the server refused STARTTLS", reply, "STARTTLS"),
      );
      return;
    }
    this.#startAuth();
  }

  #startAuth(): void {
    const credentials = this.#options.auth;
    if (credentials === undefined) {
      this.#announceReady();
      return;
    }
    if (
      !this.#secure &&
      this.#options.peerIsLoopback !== true &&
      this.#options.allowInsecureAuth !== true
    ) {
      this.#abandon(
        new SmtpError({
          kind: "insecure-auth",
          message: "refusing to send credentials over a connection without TLS",
          retryable: false,
        }),
      );
      return;
    }
    const offered = this.#capabilities!.auth;
    const randomBytes = this.#options.randomBytes;
    // A mechanism the caller named is tried even when the server advertises no AUTH at all
    // (some servers list AUTH only after STARTTLS and answer 530): the caller chose it.
    const mechanism =
      offered.length === 0 && credentials.method !== undefined
        ? credentials.method
        : chooseMechanism(offered, credentials, { randomBytes });
    if (mechanism === undefined) {
      this.#abandon(
        new SmtpError({
          kind: "auth-unavailable",
          message:
            offered.length === 0
              ? "the server does not offer AUTH"
              : "no authentication mechanism both sides support",
          retryable: false,
        }),
      );
      return;
    }
    let sasl: SaslClient;
    let initial: Uint8Array | null;
    try {
      sasl = createSaslClient(mechanism, credentials, { randomBytes });
      initial = sasl.initialResponse();
    } catch (error) {
      this.#abandon(this.#asAuthError(error));
      return;
    }
    this.#sasl = sasl;
    this.#go("auth");
    const onReply = (r: Reply): void => this.#onAuth(r, mechanism);
    if (initial !== null) {
      const ir = encodeBase64(initial);
      // RFC 4954 §4: the initial response only when the command line fits 512 octets.
      if (`AUTH ${mechanism} ${ir}\r\n`.length <= 512) {
        this.#command({ name: "AUTH", mechanism, initialResponse: ir }, "command", onReply);
        return;
      }
      this.#heldInitialResponse = initial;
    }
    this.#command({ name: "AUTH", mechanism }, "command", onReply);
  }

  #asAuthError(error: unknown): SmtpError {
    if (error instanceof SmtpError) return error;
    return new SmtpError({ kind: "auth", message: "the SASL exchange failed", retryable: false });
  }

  #onAuth(reply: Reply, mechanism: string): void {
    const sasl = this.#sasl!;
    if (reply.code === 235) {
      if (!sasl.complete) {
        this.#abandon(
          this.#replyError(
            "auth",
            "the server ended AUTH before the exchange was complete",
            reply,
            `AUTH ${mechanism}`,
          ),
        );
        return;
      }
      this.#sasl = undefined;
      this.#announceReady();
      return;
    }
    if (reply.code === 334) {
      let response: Uint8Array;
      try {
        if (this.#heldInitialResponse !== undefined) {
          response = this.#heldInitialResponse;
          this.#heldInitialResponse = undefined;
        } else {
          response = sasl.respond(decodeBase64(reply.lines.join("").trim()));
        }
      } catch (error) {
        const failure = this.#asAuthError(error);
        // Cancel the exchange (RFC 4954 §4 "*"), then QUIT whatever the answer.
        this.#command({ name: "AUTH-RESPONSE", response: "*" }, "command", () =>
          this.#abandon(failure),
        );
        return;
      }
      this.#command({ name: "AUTH-RESPONSE", response: encodeBase64(response) }, "command", (r) =>
        this.#onAuth(r, mechanism),
      );
      return;
    }
    this.#sasl = undefined;
    this.#heldInitialResponse = undefined;
    const kind = reply.code === 504 ? "auth-unavailable" : "auth";
    this.#abandon(
      this.#replyError(kind, "the server refused authentication", reply, `AUTH ${mechanism}`),
    );
  }

  #announceReady(): void {
    this.#go("ready");
    if (!this.#readyAnnounced) {
      this.#readyAnnounced = true;
      this.#actions.push({ type: "ready", capabilities: this.#capabilities! });
    }
  }

  // ------------------------------------------------------------------ transactions

  #pump(now: number): void {
    for (;;) {
      if (!this.#inTransactions()) return;
      const busy = this.#bodyTx !== undefined || this.#active.some((tx) => tx.stage !== "ended");
      const pipelining = this.#capabilities!.pipelining;
      if (this.#queue.length > 0) {
        if (busy || (!pipelining && this.#wire.awaiting > 0)) return;
        // Behind an outcome not yet known only while the server accepts that speculation.
        if (this.#active.length > 0 && !this.#speculate) return;
        const next = this.#queue.shift()!;
        this.#start(next.js, next.recipients, next.reset === true, now);
        continue;
      }
      if (this.#quitRequested && this.#active.length === 0 && this.#wire.awaiting === 0) {
        this.#go("quitting");
        this.#command({ name: "QUIT" }, "quit", () => this.#closeAfterQuit(), now);
      }
      return;
    }
  }

  #start(js: JobState, recipients: string[], reset: boolean, now: number): void {
    const caps = this.#capabilities!;
    const job = js.job;
    if (
      job.size !== undefined &&
      caps.size !== undefined &&
      caps.size > 0 &&
      job.size > caps.size
    ) {
      this.#finishFailed(
        js,
        new SmtpError({
          kind: "size",
          message: `the message (${job.size} octets) exceeds the server's limit of ${caps.size} octets`,
          retryable: false,
        }),
      );
      return;
    }
    if (job.smtpUtf8 === true && !caps.smtpUtf8) {
      this.#finishFailed(
        js,
        unsupported("the server does not offer SMTPUTF8", "smtputf8-unsupported"),
      );
      return;
    }
    // RFC 6152: 8-bit data only to a server that offers 8BITMIME. A binary job is judged by
    // BINARYMIME below.
    if (job.eightBit === true && job.binary !== true && !caps.eightBitMime) {
      this.#finishFailed(
        js,
        unsupported("the server does not offer 8BITMIME", "8bitmime-unsupported"),
      );
      return;
    }
    const bdat =
      caps.chunking && caps.pipelining && (job.binary === true || this.#options.chunking !== false);
    if (job.binary === true && !(bdat && caps.binaryMime)) {
      this.#finishFailed(
        js,
        unsupported(
          "the server does not offer BINARYMIME with CHUNKING and PIPELINING",
          "binarymime-unsupported",
        ),
      );
      return;
    }
    const mail = mailParameters(job, caps);
    // An earlier transaction's outcome is not known yet: servers differ in what state a
    // failed one leaves behind (Exim keeps MAIL after a refused BDAT, Dovecot LMTP wants
    // RSET), so this one starts from a known state. RSET may go anywhere in a pipelined
    // group (RFC 2920) and costs no round trip.
    const speculative = this.#active.length > 0;
    const tx = newTransaction(js, recipients, bdat, speculative);
    this.#active.push(tx);
    this.#go("mail");
    if (speculative || reset) {
      this.#command({ name: "RSET" }, "command", (r) => this.#onLeadingReset(tx, r), now);
    }
    this.#command(
      { name: "MAIL", from: job.from, params: mail },
      "command",
      (r) => this.#onMail(tx, r),
      now,
    );
    if (caps.pipelining) {
      while (tx.rcptSent < recipients.length) this.#sendRcpt(tx);
      if (job.requireAllRecipients !== true) {
        if (bdat) this.#needBody(tx);
        else {
          tx.dataPipelined = true;
          this.#command({ name: "DATA" }, "data-start", (r) => this.#onData(tx, r));
        }
      }
    }
  }

  #sendRcpt(tx: Transaction): void {
    const address = tx.recipients[tx.rcptSent++]!;
    this.#command(rcptCommand(tx.js.job, this.#capabilities!, address), "command", (r) =>
      this.#onRcpt(tx, address, r),
    );
  }

  /** The reply to the RSET a transaction began with. */
  #onLeadingReset(tx: Transaction, reply: Reply): void {
    if (positive(reply)) return;
    if (tx.speculative && !tx.bdat) {
      this.#refuseSpeculation(tx);
      return;
    }
    // BDAT chunks already followed this RSET: what the server made of them is unknown.
    this.#fatal(
      new SmtpError({
        kind: "protocol",
        message: "the server refused RSET",
        detail: "rset-refused",
        reply,
        command: "RSET",
        retryable: false,
      }),
      "error",
    );
  }

  /**
   * A 503 to a speculative transaction's RSET or MAIL: the server refused the pipelining,
   * not the message. Nothing of it counts; it is sent again once the earlier outcomes are
   * known, and no transaction starts behind an unknown outcome any more.
   */
  #refuseSpeculation(tx: Transaction): void {
    tx.speculationRefused = true;
    if (this.#speculate) {
      this.#speculate = false;
      this.#wire.record(
        "*",
        "the server refused pipelining behind the end of data: one message at a time from now on",
      );
    }
  }

  /** Takes a transaction whose speculation was refused off the wire and queues it again, first. */
  #resend(tx: Transaction): void {
    this.#removeTransaction(tx);
    this.#queue.unshift({ js: tx.js, recipients: tx.recipients, reset: true });
  }

  #onMail(tx: Transaction, reply: Reply): void {
    if (tx.speculationRefused) return;
    if (tx.speculative && reply.code === 503) {
      this.#refuseSpeculation(tx);
      return;
    }
    tx.mailOk = positive(reply);
    if (!tx.mailOk) {
      tx.failure = this.#replyError(
        "rejected",
        "the server refused the sender",
        reply,
        "MAIL FROM",
      );
      if (!this.#capabilities!.pipelining) {
        this.#failTransaction(tx, tx.failure);
        return;
      }
      if (tx.recipients.length === 0) this.#envelopeDone(tx);
      return;
    }
    if (!this.#capabilities!.pipelining) this.#sendRcpt(tx);
  }

  #onRcpt(tx: Transaction, address: string, reply: Reply): void {
    tx.rcptReplies++;
    if (tx.speculationRefused) {
      if (tx.rcptReplies === tx.rcptSent) this.#envelopeDone(tx);
      return;
    }
    if (tx.mailOk === true) {
      if (positive(reply)) tx.accepted.push(address);
      else if (isTooManyRecipients(reply) && tx.accepted.length > 0) tx.deferred.push(address);
      else tx.rejected.push(rejectionOf(address, reply));
    }
    const pipelining = this.#capabilities!.pipelining;
    if (!pipelining && tx.rcptSent < tx.recipients.length) {
      if (tx.deferred.length === 0) {
        this.#sendRcpt(tx);
        return;
      }
      // The server's recipient limit: the rest go in a further transaction.
      tx.deferred.push(...tx.recipients.slice(tx.rcptSent));
      tx.recipients = tx.recipients.slice(0, tx.rcptSent);
    }
    if (tx.rcptReplies === tx.rcptSent) this.#envelopeDone(tx);
  }

  /** Every MAIL and RCPT reply is in: decide whether the data goes out. */
  #envelopeDone(tx: Transaction): void {
    if (tx.speculationRefused) {
      // Nothing of the data went out yet (requireAllRecipients): send it again now.
      if (!tx.dataPipelined && tx.stage === "envelope") this.#resend(tx);
      return;
    }
    const job = tx.js.job;
    if (tx.failure === undefined) {
      if (tx.accepted.length === 0) {
        tx.failure = this.#allRefused(tx);
      } else if (
        job.requireAllRecipients === true &&
        (tx.rejected.length > 0 || tx.deferred.length > 0)
      ) {
        tx.failure = new SmtpError({
          kind: "rejected",
          message: "the server refused some recipients and requireAllRecipients is set",
          command: "RCPT TO",
          rejected: tx.rejected,
          retryable: false,
        });
      }
    }
    if (tx.dataPipelined || (tx.bdat && tx.stage !== "envelope")) return; // the DATA / BDAT reply decides
    if (tx.failure !== undefined) {
      this.#failTransaction(tx, tx.failure);
      return;
    }
    if (tx.bdat) this.#needBody(tx);
    else this.#command({ name: "DATA" }, "data-start", (r) => this.#onData(tx, r));
  }

  #allRefused(tx: Transaction): SmtpError {
    const first = tx.rejected[0];
    return new SmtpError({
      kind: "rejected",
      message: `the server refused every recipient (${tx.rejected.length})`,
      command: "RCPT TO",
      rejected: [...tx.rejected],
      ...(first === undefined
        ? {}
        : {
            reply: {
              code: first.code,
              lines: first.message.split("\n"),
              ...(first.enhancedCode === undefined ? {} : { enhancedCode: first.enhancedCode }),
            },
          }),
    });
  }

  #onData(tx: Transaction, reply: Reply): void {
    if (tx.speculationRefused) {
      if (reply.code !== 354) {
        this.#resend(tx);
        return;
      }
      // The server took DATA after refusing the envelope: the data cannot be cancelled, and
      // even an empty message would go to recipients we do not know. Only closing is safe;
      // nothing of this message was sent, so it can go on another connection.
      this.#fatal(
        new SmtpError({
          kind: "protocol",
          message:
            "the server answered DATA with 354 after refusing the pipelined envelope: the connection is closed so that nothing is delivered",
          detail: "pipelining-refused",
          reply,
          command: "DATA",
          retryable: true,
        }),
        "error",
      );
      return;
    }
    if (reply.code === 354) {
      if (tx.failure !== undefined) {
        // DATA went out pipelined but nothing may be delivered: end the data at once.
        this.#wire.write(utf8(".\r\n"));
        this.#wire.record("C", ".");
        tx.stage = "ended";
        const failure = tx.failure;
        this.#wire.expect({
          label: "DATA",
          phase: "data-end",
          context: () => this.#failTransaction(tx, failure),
        });
        return;
      }
      this.#needBody(tx);
      return;
    }
    const failure =
      tx.failure ?? this.#replyError("rejected", "the server refused DATA", reply, "DATA");
    this.#failTransaction(tx, failure);
  }

  #needBody(tx: Transaction): void {
    tx.stage = "body";
    // BINARYMIME bodies go out untouched; other BDAT bodies get CRLF line ends.
    tx.encoder = tx.js.job.binary === true ? undefined : new DataEncoder({ dotStuff: !tx.bdat });
    this.#bodyTx = tx;
    this.#go("data");
    this.#actions.push({ type: "need-body", id: tx.js.id });
  }

  #bodyFor(id: JobId): Transaction | undefined {
    if (this.#state === "closed" || this.#state === "quitting") return undefined;
    const tx = this.#bodyTx;
    if (tx === undefined || tx.js.id !== id) {
      throw invalidInput(`no need-body action is open for job ${id}`, "out-of-sequence");
    }
    return tx;
  }

  #onBdat(tx: Transaction, reply: Reply): void {
    if (tx.speculationRefused) return;
    if (!positive(reply) && tx.failure === undefined) {
      tx.failure = this.#replyError("rejected", "the server refused BDAT", reply, "BDAT");
    }
  }

  #onDataEnd(tx: Transaction, reply: Reply, index: number): void {
    if (tx.speculationRefused) {
      if (!positive(reply)) {
        this.#resend(tx);
        return;
      }
      // Accepted although its MAIL was refused: it joined some other transaction's envelope.
      this.#fatal(
        new SmtpError({
          kind: "protocol",
          message:
            "the server accepted the data of a message whose MAIL it refused (503): it may have been delivered under another message's envelope",
          detail: "maybe-delivered",
          reply,
          command: tx.bdat ? "BDAT" : "DATA",
          retryable: false,
        }),
        "error",
        tx,
      );
      return;
    }
    const lmtp = this.#options.lmtp === true;
    if (index === 0 && lmtp && tx.failure === undefined && tx.accepted.length > 1) {
      // LMTP: one reply per accepted recipient; the rest follow this one directly.
      const extra: AwaitedReply<OnReply>[] = tx.accepted.slice(1).map((_, i) => ({
        label: "DATA",
        phase: "data-end" as const,
        context: (r: Reply) => this.#onDataEnd(tx, r, i + 1),
      }));
      this.#wire.expectFirst(extra);
    }
    const js = tx.js;
    if (tx.failure !== undefined) {
      this.#failTransaction(tx, tx.failure);
      return;
    }
    if (lmtp) {
      if (index === 0) js.rejected.push(...tx.rejected);
      const address = tx.accepted[index]!;
      if (positive(reply)) {
        js.accepted.push(address);
        js.reply ??= reply;
      } else js.rejected.push(rejectionOf(address, reply));
      if (index < tx.accepted.length - 1) return;
    } else if (positive(reply)) {
      js.accepted.push(...tx.accepted);
      js.reply ??= reply;
    } else {
      const failure = this.#replyError(
        "rejected",
        "the server refused the message",
        reply,
        tx.bdat ? "BDAT" : "DATA",
      );
      js.rejected.push(...tx.rejected);
      if (js.accepted.length > 0) {
        // An earlier transaction delivered to some: the job succeeded partly.
        js.rejected.push(...[...tx.accepted, ...tx.deferred].map((a) => rejectionOf(a, reply)));
        this.#removeTransaction(tx);
        this.#finishOk(js);
      } else {
        this.#removeTransaction(tx);
        this.#finishFailed(js, failure);
      }
      return;
    }
    if (!lmtp) js.rejected.push(...tx.rejected);
    this.#removeTransaction(tx);
    if (tx.deferred.length > 0) {
      this.#queue.unshift({ js, recipients: tx.deferred });
      return;
    }
    if (js.accepted.length > 0) this.#finishOk(js);
    else {
      this.#finishFailed(
        js,
        new SmtpError({
          kind: "rejected",
          message: "the server refused the message for every recipient",
          command: "DATA",
          rejected: [...js.rejected],
          reply,
        }),
      );
    }
  }

  #removeTransaction(tx: Transaction): void {
    this.#active = this.#active.filter((t) => t !== tx);
    if (this.#bodyTx === tx) this.#bodyTx = undefined;
    this.#syncTransactionState();
  }

  #syncTransactionState(): void {
    if (!this.#inTransactions()) return;
    if (this.#bodyTx !== undefined) this.#go("data");
    else if (this.#active.some((t) => t.stage === "envelope")) this.#go("mail");
    else if (this.#active.length > 0) this.#go("data");
    else this.#go("ready");
  }

  /** Ends a transaction that delivered nothing: the job's result, then RSET. */
  #failTransaction(tx: Transaction, failure: SmtpError): void {
    const js = tx.js;
    // A later transaction already on the wire began with its own RSET; one sent now would
    // land behind it and reset it.
    const later = this.#active.indexOf(tx) < this.#active.length - 1;
    js.rejected.push(...tx.rejected);
    this.#removeTransaction(tx);
    if (js.accepted.length > 0) {
      // An earlier part was delivered: every recipient of this part is reported refused.
      const listed = new Set(tx.rejected.map((r) => r.address));
      for (const address of new Set([...tx.recipients, ...tx.deferred])) {
        if (listed.has(address)) continue;
        const rejection: RecipientRejection = {
          address,
          code: failure.code ?? 0,
          message: failure.response ?? failure.message,
        };
        if (failure.enhancedCode !== undefined) rejection.enhancedCode = failure.enhancedCode;
        js.rejected.push(rejection);
      }
      this.#finishOk(js);
    } else this.#finishFailed(js, failure);
    if (tx.mailOk !== undefined && !later) this.#command({ name: "RSET" }, "command", () => {});
  }

  #finishOk(js: JobState): void {
    if (js.done) return;
    js.done = true;
    const result: SendResult = {
      ok: true,
      accepted: js.accepted,
      rejected: js.rejected,
      reply: js.reply!,
    };
    this.#actions.push({ type: "result", id: js.id, result });
  }

  #finishFailed(js: JobState, error: SmtpError): void {
    if (js.done) return;
    js.done = true;
    const result: SendResult = {
      ok: false,
      error,
      accepted: js.accepted,
      rejected: js.rejected,
      dataSent: js.dataSent,
    };
    this.#actions.push({ type: "result", id: js.id, result });
  }

  // ------------------------------------------------------------------ endings

  /**
   * Fails every open job with `error`. A job whose end of data went out and got no answer
   * may have been delivered: it fails with a `connection` error, detail `maybe-delivered`,
   * never retryable. `answered` is the transaction the reply that caused `error` answered.
   */
  #failAll(error: SmtpError, answered?: Transaction): void {
    for (const tx of this.#active) {
      // A job partly delivered by an earlier transaction still reports what it delivered.
      const unknown = tx.stage === "ended" && tx !== answered;
      this.#finishFailed(tx.js, unknown ? maybeDelivered(error) : error);
    }
    for (const q of this.#queue) this.#finishFailed(q.js, error);
    this.#active = [];
    this.#queue = [];
    this.#bodyTx = undefined;
  }

  /** A failure the server can still be told about: fail the jobs, QUIT, then close with `error`. */
  #abandon(error: SmtpError): void {
    this.#failAll(error);
    this.#closeError = error;
    this.#go("quitting");
    this.#wire.forgetAwaited();
    this.#command({ name: "QUIT" }, "quit", () => this.#closeAfterQuit());
  }

  #closeAfterQuit(): void {
    const error = this.#closeError;
    this.#close(error === undefined ? "quit" : "error", error);
  }

  /** A fatal failure: no further byte is written. `answered`: see {@link Session.#failAll}. */
  #fatal(error: SmtpError, reason: "error" | "timeout" | "eof", answered?: Transaction): void {
    this.#wire.discardOutput();
    this.#close(reason, error, answered);
  }

  /** Fails every open job (with `error`, or "closed"), then closes. */
  #close(
    reason: "quit" | "error" | "timeout" | "eof",
    error: SmtpError | undefined,
    answered?: Transaction,
  ): void {
    this.#failAll(error ?? CLOSED_ERROR(), answered);
    this.#wire.clear();
    this.#state = "closed";
    this.#actions.push(
      error === undefined ? { type: "close", reason } : { type: "close", reason, error },
    );
  }
}

/** The error of a job whose end of data went out and got no reply before the connection failed with `cause`. */
function maybeDelivered(cause: SmtpError): SmtpError {
  return new SmtpError({
    kind: "connection",
    message: `${cause.message}, after the end of the message was sent and before the server answered it: the message may have been delivered, so it is not sent again`,
    detail: "maybe-delivered",
    retryable: false,
    cause,
    ...(cause.phase === undefined ? {} : { phase: cause.phase }),
    ...(cause.command === undefined ? {} : { command: cause.command }),
  });
}
