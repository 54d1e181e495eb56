import type { SendJob, SessionOptions } from "../session-types.ts";

/**
 * One step of a parsed `.smtp` transcript, in file order.
 *
 * - `server`: bytes the server sends, one batch (consecutive `S:`/`S=` lines).
 * - `client`: bytes the client must have written since the previous input
 *   (consecutive `C:`/`C=` lines and `C<<TAG` blocks).
 * - `starttls`: the TLS handshake completes here (the client must have asked for it).
 * - `eof`: the server closes the connection.
 * - `timeout`: the clock moves to the engine's next deadline; `after`, when given, is how
 *   many milliseconds after the current time that deadline must be.
 * - `noop` / `quit`: the driver calls `noop()` / `quit()` here.
 * - `closed`: the engine must have asked to close by now.
 * - `body`: the driver hands over the next requested body here (with such markers, bodies
 *   wait for them instead of following `need-body` at once).
 * - `error`: the engine must have closed with this error by now.
 *
 * `line` is the 1-based line of the file the step starts on.
 *
 * @since 0.1.0
 */
export type TranscriptStep =
  | {
      /** Bytes the server sends (`S:` lines). */
      type: "server";
      /** The bytes, CRLF line ends included. */
      bytes: Uint8Array;
      /** The step's first line in the file. */
      line: number;
    }
  | {
      /** Bytes the client must write (`C:` lines). */
      type: "client";
      /** The bytes, CRLF line ends included. */
      bytes: Uint8Array;
      /** The step's first line in the file. */
      line: number;
    }
  | {
      /** A marker step (see above). */
      type: "starttls" | "eof" | "noop" | "quit" | "closed" | "body";
      /** The step's line in the file. */
      line: number;
    }
  | {
      /** The engine's deadline passes here. */
      type: "timeout";
      /** The expected deadline, in milliseconds after the previous step, when given. */
      after?: number;
      /** The step's line in the file. */
      line: number;
    }
  | {
      /** The engine must have closed with this error by now. */
      type: "error";
      /** The error's kind. */
      kind: string;
      /** The error's detail, when given. */
      detail: string | undefined;
      /** The step's line in the file. */
      line: number;
    };

/**
 * One message the client is handed: its {@link SendJob} (envelope and options) and raw body text.
 *
 * @since 0.1.0
 */
export interface TranscriptMessage extends SendJob {
  /** The raw message (any line endings) fed to `bodyChunk`; UTF-8 encoded. */
  body: string;
}

/**
 * What the client was asked to do (`@job`): the session options (those a file can state as
 * data, and that need no answer from the driver: not `refreshableToken`) and the messages.
 *
 * @since 0.1.0
 */
export interface TranscriptJob
  extends Omit<
    SessionOptions,
    "transcript" | "chunking" | "randomBytes" | "refreshableToken" | "lendOutput"
  > {
  /** Fixed bytes (UTF-8 of this string, repeated) returned by `randomBytes`, for a deterministic SCRAM nonce. */
  randomBytes?: string;
  /** The messages, in the order they are handed to `send`. */
  messages: TranscriptMessage[];
  /**
   * Whether the driver calls `quit()` once every message has its result (or, with no message,
   * once the session is ready). Default `true`, and forced off by a `-- quit --` marker.
   */
  quit: boolean;
}

/**
 * A parsed `.smtp` file.
 *
 * @since 0.1.0
 */
export interface Transcript {
  /** `@source`: where the conversation came from. */
  source: string | undefined;
  /** `@job`: the session options and messages. */
  job: TranscriptJob;
  /** `@expect`: one subset of the result per message (an object in the file means one message). */
  expect: unknown[] | undefined;
  /** The conversation, in file order. */
  steps: TranscriptStep[];
}
