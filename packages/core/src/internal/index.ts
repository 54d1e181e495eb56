/**
 * `@smtp/core/internal`: the engine's building blocks, for the other `@smtp` packages and
 * for tests. **Not covered by semver**: anything here may change in any release. Build on
 * `@smtp/core` (the `Session`) and `@smtp/core/replay` instead.
 *
 * @module
 */

export { decodeBase64, encodeBase64 } from "../base64.ts";
export { concatBytes } from "../bytes.ts";
export { parseCapabilities } from "../capabilities.ts";
export type { Command, MailParameters, RcptParameters } from "../command.ts";
export { commandName, describeCommand, encodeCommand, REDACTED } from "../command.ts";
export type { AwaitedReply, MatchedReply } from "../connection.ts";
export { Connection } from "../connection.ts";
export type { HashAlgorithm, HashState } from "../crypto/hash.ts";
export { SHA256, sha256 } from "../crypto/sha256.ts";
export { DataEncoder, type EncoderRoom } from "../data-encoder.ts";
export { drainSession, waitsWithoutDeadline } from "../drain-session.ts";
export { invalidInput } from "../errors.ts";
export type { Precondition, PreconditionFacts } from "../extensions.ts";
export { PRECONDITIONS } from "../extensions.ts";
export { BodyStaging, LENT_OUTPUT_LIMIT, STAGING_LIMIT } from "../lent-buffers.ts";
export { DEFAULT_LIMITS, DEFAULT_TIMEOUTS } from "../limits.ts";
export type { ParsedReply } from "../reply-parser.ts";
export { parseReply, ReplyParser, splitEnhancedCode } from "../reply-parser.ts";
export type {
  ChooseMechanismOptions,
  CreateSaslClientOptions,
  SaslClient,
  SaslMechanism,
} from "../sasl/index.ts";
export {
  chooseMechanism,
  createSaslClient,
  credentialsKindOf,
  SASL_MECHANISMS,
} from "../sasl/index.ts";
export type { SetupEvent, SetupRow } from "../setup-table.ts";
export { SETUP_ROWS } from "../setup-table.ts";
export type { StateEdge, Transition } from "../state.ts";
export { canTransition, TRANSACTION_TRANSITIONS, TRANSITIONS } from "../state.ts";
export { validateJob } from "../transaction.ts";
export type { TxCommand, TxReply, TxRow } from "../transaction-table.ts";
export { TX_ROWS } from "../transaction-table.ts";
export { isValidEhloName } from "../validate.ts";
export { encodeXtext } from "../xtext.ts";
