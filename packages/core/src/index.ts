/**
 * `@smtp/core`: a sans-I/O SMTP and LMTP client engine.
 *
 * The engine performs no I/O: the caller feeds it the server's bytes, end-of-stream
 * and the current time, and drains the bytes to write, the next deadline and the actions
 * it asks for. It uses nothing of Node, Deno, timers, the clock or randomness.
 *
 * The replay tooling (transcript parser and runner) is public API under the subpath
 * `@smtp/core/replay`, not here: an application that sends mail never loads it. The
 * engine's building blocks (the reply parser, the command encoder, the DATA encoder, the
 * SASL clients, the machines' tables) are under `@smtp/core/internal`, outside semver.
 *
 * @module
 */

export { BODY_COPY_LIMIT } from "./body-copy-limit.ts";
export type {
  RecipientRejection,
  SmtpErrorDetail,
  SmtpErrorKind,
  SmtpErrorOptions,
  TimeoutPhase,
} from "./errors.ts";
export { SmtpError } from "./errors.ts";
export type { Capabilities, Reply } from "./reply-types.ts";
export { AUTH_METHODS } from "./sasl/index.ts";
export { Session } from "./session.ts";
export type {
  Action,
  AuthMethod,
  Credentials,
  DsnOptions,
  JobId,
  Limits,
  SendJob,
  SendResult,
  SessionApi,
  SessionOptions,
  StartTlsPolicy,
  Timeouts,
  TranscriptEntry,
} from "./session-types.ts";
export type { SessionState } from "./state.ts";
