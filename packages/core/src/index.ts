/**
 * `@smtp/core`: a sans-I/O SMTP and LMTP client engine.
 *
 * The engine performs no I/O: the caller feeds it the server's bytes, end-of-stream
 * and the current time, and drains the bytes to write, the next deadline and the actions
 * it asks for. It uses nothing of Node, Deno, timers, the clock or randomness.
 *
 * The replay tooling (transcript parser and runner) is public API under the subpath
 * `@smtp/core/replay`, not here: an application that sends mail never loads it.
 *
 * @module
 */

export { decodeBase64, encodeBase64 } from "./base64.ts";
export { BODY_COPY_LIMIT } from "./body-copy-limit.ts";
export { parseCapabilities } from "./capabilities.ts";
export type { Command, MailParameters, RcptParameters } from "./command.ts";
export { commandName, describeCommand, encodeCommand, REDACTED } from "./command.ts";
export type { AwaitedReply, MatchedReply } from "./connection.ts";
export { Connection } from "./connection.ts";
export type { HashAlgorithm, HashState } from "./crypto/hash.ts";
export { SHA256, sha256 } from "./crypto/sha256.ts";
export { DataEncoder } from "./data-encoder.ts";
export type {
  RecipientRejection,
  SmtpErrorKind,
  SmtpErrorOptions,
  TimeoutPhase,
} from "./errors.ts";
export { SmtpError } from "./errors.ts";
export { DEFAULT_LIMITS, DEFAULT_TIMEOUTS } from "./limits.ts";
export type { ParsedReply } from "./reply-parser.ts";
export { parseReply, ReplyParser, splitEnhancedCode } from "./reply-parser.ts";
export type { Capabilities, Reply } from "./reply-types.ts";
export type { ChooseMechanismOptions, CreateSaslClientOptions, SaslClient } from "./sasl/index.ts";
export { chooseMechanism, createSaslClient } from "./sasl/index.ts";
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
export { canTransition, TRANSITIONS } from "./state.ts";
export type { Connector, ConnectTarget, Transport } from "./transport.ts";
export { isValidEhloName } from "./validate.ts";
export { encodeXtext } from "./xtext.ts";
