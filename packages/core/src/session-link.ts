import type { Command } from "./command.ts";
import { Connection } from "./connection.ts";
import { SmtpError, type TimeoutPhase } from "./errors.ts";
import { DEFAULT_LIMITS, DEFAULT_TIMEOUTS } from "./limits.ts";
import type { Capabilities, Reply } from "./reply-types.ts";
import type { Action, SessionOptions, Timeouts } from "./session-types.ts";
import { canTransition, type SessionState } from "./state.ts";
import type { Transaction } from "./transaction.ts";
import { invalidInput, isValidEhloName } from "./validate.ts";

// What the set-up and transaction machines share: the options, the wire, the actions, the
// clock of the current wait, the session state and the ways a session ends. Internal.

/** What the session does with a reply: the context of each awaited reply. */
export type OnReply = (reply: Reply) => void;

/** Why the connection is closed, as the `close` action says. */
export type CloseReason = "quit" | "error" | "timeout" | "eof";

/** The transaction side as the rest of the session needs it when the session ends. */
export interface OpenJobs {
  /** Fails every open job with `error`; `answered` is the transaction the causing reply answered. */
  failAll(error: SmtpError, answered?: Transaction): void;
}

/** Deadlines, in milliseconds, for each wait. */
function timeoutOf(timeouts: Timeouts, phase: TimeoutPhase): number {
  switch (phase) {
    case "greeting":
      return timeouts.greeting;
    case "data-start":
      return timeouts.dataStart;
    case "data-block":
      return timeouts.dataBlock;
    case "data-end":
      return timeouts.dataEnd;
    case "quit":
      return timeouts.quit;
    default:
      return timeouts.command;
  }
}

/** The state the two machines of a session share. */
export class SessionLink {
  readonly options: SessionOptions;
  readonly timeouts: Timeouts;
  readonly wire: Connection<OnReply>;
  readonly actions: Action[] = [];
  state: SessionState = "connecting";
  secure: boolean;
  capabilities: Capabilities | undefined;
  /** When the current wait began: the last command written, reply received or body chunk. */
  since = 0;
  /** Set when the session is being ended with QUIT because of this error. */
  closeError: SmtpError | undefined;
  /** The jobs to fail when the session ends; set by the session once both machines exist. */
  jobs: OpenJobs = { failAll: () => {} };

  /** @throws {@link SmtpError} of kind `invalid-input` for an invalid EHLO name or timeouts. */
  constructor(options: SessionOptions) {
    if (typeof options.ehloName !== "string" || !isValidEhloName(options.ehloName)) {
      throw invalidInput("ehloName must be a domain or an address literal", "bad-ehlo-name");
    }
    this.options = options;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    for (const value of Object.values(this.timeouts)) {
      if (typeof value !== "number" || !(value > 0))
        throw invalidInput("timeouts must be positive numbers");
    }
    this.wire = new Connection({
      limits: { ...DEFAULT_LIMITS, ...options.limits },
      transcript: options.transcript,
      lendOutput: options.lendOutput,
    });
    this.secure = options.secure === true;
  }

  /** Reads the state afresh (TypeScript would narrow `state` across calls that change it). */
  is(state: SessionState): boolean {
    return this.state === state;
  }

  /** Moves to `to`; a move the transition table forbids is a bug in the engine. */
  go(to: SessionState): void {
    if (to === this.state) return;
    if (!canTransition(this.state, to)) {
      throw new Error(`@smtp/core: illegal transition ${this.state} -> ${to}`);
    }
    this.state = to;
  }

  /** The absolute deadline of `phase`'s wait. */
  deadline(phase: TimeoutPhase): number {
    return this.since + timeoutOf(this.timeouts, phase);
  }

  /** Writes one command and awaits its reply; `now` starts the wait when nothing else is awaited. */
  command(command: Command, phase: TimeoutPhase, onReply: OnReply, now?: number): void {
    if (now !== undefined && this.wire.awaiting === 0) this.since = now;
    this.wire.send(command, phase, onReply);
  }

  /** An error carrying the server's reply and the command it answered. */
  replyError(
    kind: SmtpError["kind"],
    message: string,
    reply: Reply,
    command: string | undefined,
  ): SmtpError {
    return new SmtpError({ kind, message, reply, ...(command === undefined ? {} : { command }) });
  }

  /** A failure the server can still be told about: fail the jobs, QUIT, then close with `error`. */
  abandon(error: SmtpError): void {
    this.jobs.failAll(error);
    this.closeError = error;
    this.go("quitting");
    this.wire.forgetAwaited();
    this.command({ name: "QUIT" }, "quit", () => this.closeAfterQuit());
  }

  /** QUIT was answered, the server closed, or its deadline passed. */
  closeAfterQuit(): void {
    const error = this.closeError;
    this.close(error === undefined ? "quit" : "error", error);
  }

  /** A fatal failure: no further byte is written. */
  fatal(error: SmtpError, reason: Exclude<CloseReason, "quit">, answered?: Transaction): void {
    this.wire.discardOutput();
    this.close(reason, error, answered);
  }

  /** Fails every open job (with `error`, or "closed"), then closes. */
  close(reason: CloseReason, error: SmtpError | undefined, answered?: Transaction): void {
    this.jobs.failAll(error ?? closedError(), answered);
    this.wire.clear();
    this.state = "closed";
    this.actions.push(
      error === undefined ? { type: "close", reason } : { type: "close", reason, error },
    );
  }
}

/** The error of a job sent to a closed session. */
export function closedError(): SmtpError {
  return new SmtpError({ kind: "connection", message: "the session is closed", retryable: true });
}
