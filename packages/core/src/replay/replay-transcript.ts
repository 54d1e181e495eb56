import { concatBytes, utf8 } from "../bytes.ts";
import { drainSession, waitsWithoutDeadline } from "../drain-session.ts";
import type { SmtpError } from "../errors.ts";
import { Session } from "../session.ts";
import type {
  Action,
  JobId,
  SendJob,
  SendResult,
  SessionApi,
  SessionOptions,
  TranscriptEntry,
} from "../session-types.ts";
import { equalBytes } from "./bytes.ts";
import { type Chunking, createChunker } from "./chunking.ts";
import { findSubsetMismatch } from "./subset.ts";
import type { Transcript, TranscriptJob, TranscriptMessage } from "./transcript-types.ts";

/**
 * The engine the runner drives: {@link SessionApi}, the same calls a real driver makes.
 *
 * @since 0.1.0
 */
export type ReplaySession = SessionApi;

/** Options of {@link replayTranscript}. @since 0.1.0 */
export interface ReplayOptions {
  /** Creates the engine for the transcript's options. Default: `new Session(options)`. */
  createSession?: (options: SessionOptions) => ReplaySession;
  /** How server batches and message bodies are cut into chunks. Default `"whole"`. */
  chunking?: Chunking;
  /**
   * Cut message bodies with the same chunking too. Default `false`: each body is handed over
   * in one piece, since BDAT framing legitimately follows the caller's pieces. Use it for
   * DATA conversations to check that the output does not depend on the pieces (R6).
   */
  splitBody?: boolean;
  /** The clock's start, in ms. Default 0. */
  startTime?: number;
  /** Receives the engine's transcript lines (`SessionOptions.transcript`). */
  transcript?: (entry: TranscriptEntry) => void;
  /**
   * `SessionOptions.lendOutput` for the engine. Default `true`, as `@smtp/client` drives
   * it: the runner copies every chunk as it comes, so both ways must write the same bytes.
   *
   * @since 0.3.0
   */
  lendOutput?: boolean;
}

/** Why a replay failed, with the file line it failed at. @since 0.1.0 */
export interface ReplayFailure {
  /** The transcript line (1-based) of the step being checked; 0 for the end of the file. */
  line: number;
  /** What differed, in words. */
  message: string;
  /** For a byte mismatch: what the transcript says the client writes here. */
  expected?: Uint8Array;
  /** For a byte mismatch: what the client wrote. */
  actual?: Uint8Array;
}

/**
 * The outcome of one message: the engine's result, a synchronous `send()` error, or
 * `undefined` while none has come.
 *
 * @since 0.1.0
 */
export type ReplayJobOutcome =
  | SendResult
  | {
      /** Not delivered: `send()` threw. */
      ok: false;
      /** What `send()` threw. */
      thrown: unknown;
    }
  | undefined;

/** What one replay produced. @since 0.1.0 */
export interface ReplayOutcome {
  /** `true` when every step and every `@expect` matched. */
  ok: boolean;
  /** The first failure, or `undefined` when `ok`. */
  failure: ReplayFailure | undefined;
  /** One entry per message, in `@job` order. */
  results: ReplayJobOutcome[];
  /** The `close` action, when the engine asked to close. */
  close: Extract<Action, { type: "close" }> | undefined;
  /** Every byte the client wrote. */
  written: Uint8Array;
  /** The engine's state at the end. */
  state: string;
}

class Failure extends Error {
  readonly failure: ReplayFailure;
  constructor(failure: ReplayFailure) {
    super(failure.message);
    this.failure = failure;
  }
}

function fail(
  line: number,
  message: string,
  bytes?: { expected: Uint8Array; actual: Uint8Array },
): never {
  throw new Failure(bytes ? { line, message, ...bytes } : { line, message });
}

/** The engine's job for a transcript message (its body is fed separately). @since 0.2.0 */
export function toSendJob(message: TranscriptMessage): SendJob {
  const { body: _body, ...job } = message;
  return job;
}

/** The session options a transcript's `@job` states, with its fixed `randomBytes`. @since 0.2.0 */
export function sessionOptions(
  job: TranscriptJob,
  transcript: ReplayOptions["transcript"],
): SessionOptions {
  const { messages: _messages, quit: _quit, randomBytes, ...rest } = job;
  const options: SessionOptions = { ...rest };
  if (randomBytes !== undefined) {
    const pattern = utf8(randomBytes);
    options.randomBytes = (length) =>
      Uint8Array.from({ length }, (_, i) => pattern[i % pattern.length] as number);
  }
  if (transcript) options.transcript = transcript;
  return options;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Plays a parsed transcript against a fresh engine, as a driver would, and checks every byte
 * the client writes: after each input (a server batch, a marker), the client's output up to
 * the next input must equal the transcript's `C:` lines in between exactly. It also checks
 * the engine's invariants after every input (no exception, no wait without a deadline, no
 * action after `close`), the `-- error --` markers, and `@expect`.
 *
 * It never throws for a mismatch: the outcome says what failed. See `assertReplay` for the
 * throwing form.
 *
 * @since 0.1.0
 */
export function replayTranscript(
  transcript: Transcript,
  options: ReplayOptions = {},
): ReplayOutcome {
  const chunk = createChunker(options.chunking ?? "whole");
  const { job } = transcript;
  let now = options.startTime ?? 0;
  const written: Uint8Array[] = [];
  let segment: Uint8Array[] = [];
  const results: ReplayJobOutcome[] = job.messages.map(() => undefined);
  const idToIndex = new Map<JobId, number>();
  let close: Extract<Action, { type: "close" }> | undefined;
  let upgradeAsked = false;
  let quitCalled = false;
  let session: ReplaySession | undefined;
  let currentLine = 0;
  const holdBodies = transcript.steps.some((step) => step.type === "body");
  const heldBodies: JobId[] = [];

  const allResults = (): boolean => results.every((result) => result !== undefined);

  const autoQuit = (): void => {
    if (!job.quit || quitCalled || !session || close) return;
    quitCalled = true;
    session.quit(now);
  };

  const handle = (action: Action): void => {
    if (close) fail(currentLine, `the engine asked for "${action.type}" after "close"`);
    switch (action.type) {
      case "upgrade-tls":
        upgradeAsked = true;
        return;
      case "ready":
        if (job.messages.length === 0) autoQuit();
        return;
      case "need-body": {
        const index = idToIndex.get(action.id);
        if (index === undefined) fail(currentLine, `need-body for unknown job ${action.id}`);
        // With -- body -- markers, the caller hands the body over only at those markers.
        if (holdBodies) heldBodies.push(action.id);
        else feedBody(action.id, index);
        return;
      }
      case "result": {
        const index = idToIndex.get(action.id);
        if (index === undefined) fail(currentLine, `result for unknown job ${action.id}`);
        if (results[index] !== undefined)
          fail(currentLine, `a second result for message ${index + 1}`);
        results[index] = action.result;
        if (allResults()) autoQuit();
        return;
      }
      case "close":
        close = action;
        return;
    }
  };

  function feedBody(id: JobId, index: number): void {
    const active = session as ReplaySession;
    const body = utf8((job.messages[index] as TranscriptMessage).body);
    for (const piece of options.splitBody ? chunk(body) : [body]) {
      if (piece.length === 0) continue;
      active.bodyChunk(id, piece, now);
      drain();
      if (close) return;
    }
    active.bodyEnd(id, now);
  }

  function drain(): void {
    const active = session as ReplaySession;
    drainSession(
      active,
      (bytes) => {
        if (close) fail(currentLine, "the engine wrote bytes after asking to close");
        // Copy: the engine may reuse its buffer.
        const copy = bytes.slice();
        written.push(copy);
        segment.push(copy);
      },
      handle,
    );
    if (!close && waitsWithoutDeadline(active)) {
      fail(currentLine, `the engine waits in state "${active.state}" without a deadline`);
    }
  }

  /**
   * Runs an engine input and drains its outputs (which may feed a body or call quit()); any
   * exception from the engine is a failure.
   */
  const input = (what: string, run: () => void): void => {
    try {
      run();
      drain();
    } catch (error) {
      if (error instanceof Failure) throw error;
      fail(currentLine, `the engine threw on ${what}: ${describe(error)}`);
    }
  };

  /** Compares the client's output since the previous check with `expected`. */
  const checkSegment = (expected: Uint8Array, line: number): void => {
    const actual = concatBytes(segment);
    segment = [];
    if (!equalBytes(actual, expected)) {
      fail(
        line,
        actual.length === 0 && expected.length > 0
          ? "the client wrote nothing where the transcript expects client lines"
          : expected.length === 0
            ? "the client wrote bytes where the transcript expects none"
            : "the client's bytes differ from the transcript",
        { expected, actual },
      );
    }
  };

  const outcome = (failure: ReplayFailure | undefined): ReplayOutcome => ({
    ok: failure === undefined,
    failure,
    results,
    close,
    written: concatBytes(written),
    state: session?.state ?? "unstarted",
  });

  try {
    try {
      const create = options.createSession ?? ((sessionOptions) => new Session(sessionOptions));
      session = create({
        ...sessionOptions(job, options.transcript),
        lendOutput: options.lendOutput ?? true,
      });
    } catch (error) {
      fail(0, `the engine refused the @job options: ${describe(error)}`);
    }
    const active = session;
    input("connected", () => active.connected(now));
    job.messages.forEach((message, index) => {
      input(`send (message ${index + 1})`, () => {
        try {
          idToIndex.set(active.send(toSendJob(message), now), index);
        } catch (error) {
          results[index] = { ok: false, thrown: error };
          if (allResults()) autoQuit();
        }
      });
    });

    let expected: Uint8Array[] = [];
    const checkpoint = (line: number): void => {
      checkSegment(concatBytes(expected), line);
      expected = [];
    };
    for (const step of transcript.steps) {
      currentLine = step.line;
      if (step.type === "client") {
        expected.push(step.bytes);
        continue;
      }
      // Every other step is an input or a check: the client's output so far must match first.
      checkpoint(step.line);
      switch (step.type) {
        case "server":
          if (close)
            fail(
              step.line,
              `the engine already closed (${describeClose(close)}) before this server batch`,
            );
          for (const piece of chunk(step.bytes)) {
            input("receiveData", () => active.receiveData(piece, now));
            if (close) break;
          }
          break;
        case "starttls":
          if (!upgradeAsked)
            fail(step.line, "the transcript upgrades to TLS but the engine did not ask for it");
          upgradeAsked = false;
          input("tlsEstablished", () => active.tlsEstablished(now));
          break;
        case "eof":
          if (!close) input("receiveEof", () => active.receiveEof(now));
          break;
        case "timeout": {
          const deadline = active.pollTimeout();
          if (deadline === null)
            fail(step.line, "the transcript waits for a timeout but the engine has no deadline");
          if (step.after !== undefined && deadline - now !== step.after) {
            fail(
              step.line,
              `expected the deadline ${step.after} ms ahead, the engine's is ${deadline - now} ms ahead`,
            );
          }
          now = Math.max(now, deadline);
          input("handleTimeout", () => active.handleTimeout(now));
          break;
        }
        case "noop":
          input("noop", () => active.noop(now));
          break;
        case "quit":
          quitCalled = true;
          input("quit", () => active.quit(now));
          break;
        case "body": {
          const id = heldBodies.shift();
          if (id === undefined)
            fail(step.line, "the transcript hands over a body but the engine asked for none");
          input("bodyChunk", () => feedBody(id, idToIndex.get(id) as number));
          break;
        }
        case "closed":
          if (!close) fail(step.line, "expected the engine to have asked to close by now");
          break;
        case "error": {
          const error = close?.error;
          if (!error) {
            fail(
              step.line,
              `expected the engine to close with a "${step.kind}" error, but it ${close ? `closed (${describeClose(close)})` : "did not close"}`,
            );
          }
          if (
            error.kind !== step.kind ||
            (step.detail !== undefined && error.detail !== step.detail)
          ) {
            fail(
              step.line,
              `expected a "${step.kind}${step.detail ? `/${step.detail}` : ""}" error, got "${error.kind}${error.detail ? `/${error.detail}` : ""}": ${error.message}`,
            );
          }
          break;
        }
      }
    }
    currentLine = 0;
    checkpoint(0);
    if (close?.error && !transcript.steps.some((step) => step.type === "error")) {
      fail(
        0,
        `the engine closed with an error the transcript does not expect: ${describeClose(close)}`,
      );
    }
    if (transcript.expect) {
      transcript.expect.forEach((expectation, index) => {
        const mismatch = findSubsetMismatch(results[index], expectation);
        if (mismatch)
          fail(0, `@expect, message ${index + 1}: ${mismatch.replace(/^\$/, "result")}`);
      });
    }
  } catch (error) {
    if (error instanceof Failure) return outcome(error.failure);
    throw error;
  }
  return outcome(undefined);
}

function describeClose(close: Extract<Action, { type: "close" }>): string {
  const error: SmtpError | undefined = close.error;
  return error
    ? `${close.reason}: ${error.kind}${error.detail ? `/${error.detail}` : ""}: ${error.message}`
    : close.reason;
}
