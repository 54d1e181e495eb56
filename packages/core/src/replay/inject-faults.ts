import { utf8 } from "../bytes.ts";
import { drainSession, waitsWithoutDeadline } from "../drain-session.ts";
import { SmtpError } from "../errors.ts";
import { Session } from "../session.ts";
import type { Action, JobId, SendResult, SessionOptions } from "../session-types.ts";
import type { ReplayJobOutcome, ReplaySession } from "./replay-transcript.ts";
import { sessionOptions, toSendJob } from "./replay-transcript.ts";
import type { Transcript, TranscriptMessage } from "./transcript-types.ts";

/**
 * A network fault injected into a replay:
 * - `eof`: the server's side ends after `at` of its bytes (0: before its greeting);
 * - `reset`: the connection fails right after the client's `afterWrite`-th write (1-based).
 */
type Fault = { type: "eof"; at: number } | { type: "reset"; afterWrite: number };

/** What one replay with (or without) a fault produced. */
interface FaultRun {
  results: ReplayJobOutcome[];
  /** Server bytes fed when each result came; `n + 0.5` when it came after the batch ending at `n`. */
  resultAt: (number | undefined)[];
  /** Whether each message's end of data was handed over (since its last `need-body`). */
  ended: boolean[];
  closed: boolean;
  writes: number;
  serverBytes: number;
  /** A broken engine invariant, if any. */
  broken: string | undefined;
}

class Broken extends Error {}

function resetError(): SmtpError {
  return new SmtpError({
    kind: "connection",
    message: "connection reset by the fault injector",
    detail: "ECONNRESET",
    retryable: true,
  });
}

/**
 * Plays the server's side of `transcript` as the replay runner does (without comparing the
 * client's bytes) until `fault` strikes, then lets the engine settle.
 */
function run(
  transcript: Transcript,
  fault: Fault | undefined,
  byteByByte: boolean,
  createSession: (options: SessionOptions) => ReplaySession,
): FaultRun {
  const { job } = transcript;
  const messages = job.messages;
  const out: FaultRun = {
    results: messages.map(() => undefined),
    resultAt: messages.map(() => undefined),
    ended: messages.map(() => false),
    closed: false,
    writes: 0,
    serverBytes: 0,
    broken: undefined,
  };
  const index = new Map<JobId, number>();
  let now = 0;
  let upgradeAsked = false;
  let quitCalled = false;
  let faulted = false;
  let inBatch = false;
  const heldBodies: JobId[] = [];
  const holdBodies = transcript.steps.some((step) => step.type === "body");
  const session = createSession(sessionOptions(job, undefined));

  const broken = (message: string): never => {
    throw new Broken(message);
  };
  const autoQuit = (): void => {
    if (!job.quit || quitCalled || out.closed) return;
    quitCalled = true;
    session.quit(now);
  };
  const strike = (): void => {
    faulted = true;
    if (fault?.type === "eof") session.receiveEof(now);
    else session.transportFailed(resetError(), now);
  };
  const handle = (action: Action): void => {
    if (out.closed) broken(`the engine asked for "${action.type}" after "close"`);
    if (action.type === "upgrade-tls") upgradeAsked = true;
    else if (action.type === "ready") {
      if (messages.length === 0) autoQuit();
    } else if (action.type === "need-body") {
      const at = index.get(action.id) ?? broken(`need-body for unknown job ${action.id}`);
      out.ended[at] = false;
      if (holdBodies) heldBodies.push(action.id);
      else feedBody(action.id, at);
    } else if (action.type === "result") {
      const at = index.get(action.id) ?? broken(`result for unknown job ${action.id}`);
      if (out.results[at] !== undefined) broken(`a second result for message ${at + 1}`);
      out.results[at] = action.result;
      out.resultAt[at] = inBatch ? out.serverBytes : out.serverBytes + 0.5;
      if (out.results.every((r) => r !== undefined)) autoQuit();
    } else out.closed = true;
  };
  function drain(): void {
    drainSession(
      session,
      () => {
        if (out.closed) broken("the engine wrote bytes after asking to close");
        out.writes++;
        if (!faulted && fault?.type === "reset" && out.writes === fault.afterWrite) strike();
      },
      handle,
    );
    if (!out.closed && waitsWithoutDeadline(session))
      broken(`the engine waits in state "${session.state}" without a deadline`);
  }
  function feedBody(id: JobId, at: number): void {
    const body = utf8((messages[at] as TranscriptMessage).body);
    if (body.length > 0) session.bodyChunk(id, body, now);
    drain();
    if (out.closed) return;
    out.ended[at] = true;
    session.bodyEnd(id, now);
  }
  const input = (step: () => void): void => {
    step();
    drain();
  };

  try {
    input(() => session.connected(now));
    messages.forEach((message, at) => {
      input(() => {
        try {
          index.set(session.send(toSendJob(message), now), at);
        } catch (error) {
          out.results[at] = { ok: false, thrown: error };
          out.resultAt[at] = 0;
          if (out.results.every((r) => r !== undefined)) autoQuit();
        }
      });
    });
    // The messages are handed over before the server says anything, as the runner does.
    if (fault?.type === "eof" && fault.at === 0) input(strike);
    for (const step of transcript.steps) {
      if (faulted || out.closed) break;
      switch (step.type) {
        case "server": {
          const cut = fault?.type === "eof" ? fault.at - out.serverBytes : Infinity;
          const bytes = cut < step.bytes.length ? step.bytes.subarray(0, cut) : step.bytes;
          const size = byteByByte ? 1 : Math.max(bytes.length, 1);
          inBatch = true;
          for (let i = 0; i < bytes.length && !out.closed && !faulted; i += size) {
            const piece = bytes.subarray(i, i + size);
            out.serverBytes += piece.length;
            input(() => session.receiveData(piece, now));
          }
          inBatch = false;
          if (!faulted && !out.closed && fault?.type === "eof" && out.serverBytes === fault.at)
            input(strike);
          break;
        }
        case "starttls":
          if (!upgradeAsked) broken("the engine did not ask for the TLS upgrade");
          upgradeAsked = false;
          input(() => session.tlsEstablished(now));
          break;
        case "eof":
          input(() => session.receiveEof(now));
          break;
        case "timeout": {
          const deadline = session.pollTimeout();
          if (deadline === null) broken("the transcript waits for a timeout the engine lacks");
          now = Math.max(now, deadline as number);
          input(() => session.handleTimeout(now));
          break;
        }
        case "noop":
          input(() => session.noop(now));
          break;
        case "quit":
          quitCalled = true;
          input(() => session.quit(now));
          break;
        case "body": {
          // As the runner: a marker with no body asked for means the transcript and the
          // engine disagree; skipping it would check a conversation the file does not state.
          const id =
            heldBodies.shift() ??
            broken("the transcript hands over a body but the engine asked for none");
          input(() => feedBody(id, index.get(id) as number));
          break;
        }
        default:
          break;
      }
    }
    if (faulted) {
      if (!out.closed) broken("the engine did not close after the fault");
      if (session.pollTimeout() !== null) broken("the engine still has a deadline after closing");
    }
  } catch (error) {
    out.broken =
      error instanceof Broken
        ? error.message
        : `the engine threw: ${error instanceof Error ? error.message : String(error)}`;
  }
  return out;
}

function sameSuccess(a: SendResult, b: SendResult): boolean {
  return (
    a.ok &&
    b.ok &&
    a.reply.code === b.reply.code &&
    a.reply.lines.join("\n") === b.reply.lines.join("\n") &&
    a.accepted.join(",") === b.accepted.join(",")
  );
}

/** Checks one faulted run against the unfaulted one; returns what is wrong. */
function judge(fault: Fault, faulted: FaultRun, full: FaultRun): string[] {
  const where =
    fault.type === "eof"
      ? `EOF after ${fault.at} server bytes`
      : `reset after write ${fault.afterWrite}`;
  const wrong: string[] = [];
  if (faulted.broken) wrong.push(`${where}: ${faulted.broken}`);
  faulted.results.forEach((result, i) => {
    const message = `${where}, message ${i + 1}`;
    const expected = full.results[i];
    if (result === undefined) {
      wrong.push(`${message}: no result`);
      return;
    }
    if ("thrown" in result) return;
    if (result.ok) {
      // A success must be one the server really acknowledged: the same as without the fault.
      if (!(expected && !("thrown" in expected) && sameSuccess(result, expected)))
        wrong.push(`${message}: reported sent, which the unfaulted run does not confirm`);
      return;
    }
    const error = result.error;
    if (!(error instanceof SmtpError)) {
      wrong.push(`${message}: failed without an SmtpError`);
      return;
    }
    const reachedBeforeFault = fault.type === "eof" && (full.resultAt[i] ?? Infinity) <= fault.at;
    if (reachedBeforeFault && expected && !("thrown" in expected) && expected.ok)
      wrong.push(`${message}: the server's acceptance arrived before the fault, yet it failed`);
    const fromFault =
      error.code === undefined && (error.kind === "connection" || error.kind === "timeout");
    // `ended` cannot tell an earlier, answered transaction of the same message ("452 too many
    // recipients") from the current one: judged only while nothing of the message was taken.
    const unanswered = faulted.ended[i] && result.accepted.length === 0;
    if (unanswered && fromFault && !(error.detail === "maybe-delivered" && !error.retryable))
      wrong.push(
        `${message}: its end of data went out unanswered, but it failed as "${error.kind}/${error.detail}" (retryable: ${error.retryable}) instead of maybe-delivered`,
      );
    if (!faulted.ended[i] && error.detail === "maybe-delivered")
      wrong.push(`${message}: maybe-delivered although its end of data never went out`);
  });
  return wrong;
}

/**
 * Replays `transcript` with every fault the network can cause at each point: the server's
 * side ended at every byte offset of what it sends, and the connection reset after every
 * write of the client. After each, every message must have exactly one result: a success
 * the unfaulted replay confirms (the server's acceptance arrived before the fault), or a
 * typed failure; a message whose end of data went out unanswered must fail as
 * `maybe-delivered` (never retryable), and one whose did not must not; the engine must close,
 * keep no deadline, and never throw, write or act after closing.
 *
 * @returns every violation found, one line each; empty when the engine holds.
 * @since 0.2.0
 */
export function findFaultToleranceViolations(
  transcript: Transcript,
  options: { createSession?: (options: SessionOptions) => ReplaySession; stride?: number } = {},
): string[] {
  const create = options.createSession ?? ((o: SessionOptions) => new Session(o));
  const stride = Math.max(1, options.stride ?? 1);
  const full = run(transcript, undefined, true, create);
  const whole = run(transcript, undefined, false, create);
  const wrong: string[] = [];
  if (full.broken) return [`without a fault: ${full.broken}`];
  for (let at = 0; at <= full.serverBytes; at += stride) {
    const fault: Fault = { type: "eof", at };
    wrong.push(...judge(fault, run(transcript, fault, false, create), full));
  }
  for (let afterWrite = 1; afterWrite <= whole.writes; afterWrite++) {
    const fault: Fault = { type: "reset", afterWrite };
    wrong.push(...judge(fault, run(transcript, fault, false, create), full));
  }
  return wrong;
}
