/**
 * `@smtp/core/replay`: deterministic replay of recorded SMTP conversations.
 *
 * Parses the `.smtp` transcript format, plays the server's side against a fresh `Session`
 * for any chunking of the server's bytes, and asserts every byte the client writes, so
 * conversations recorded from your own servers can be replayed in your own tests.
 * `formatTranscript` turns a recorded session into a draft transcript.
 *
 * A subpath of its own so that importing `@smtp/core` (and so `@smtp/client`) does not
 * load the replay tooling, which only tests need.
 *
 * @module
 */

export {
  assertReplay,
  assertReplayEveryChunking,
  everyChunking,
  formatReplayFailure,
  ReplayAssertionError,
} from "./assert-replay.ts";
export type { Chunking } from "./chunking.ts";
export type { FormatTranscriptOptions } from "./format-transcript.ts";
export { formatTranscript } from "./format-transcript.ts";
export { findFaultToleranceViolations } from "./inject-faults.ts";
export { parseTranscript } from "./parse-transcript.ts";
export type {
  ReplayFailure,
  ReplayJobOutcome,
  ReplayOptions,
  ReplayOutcome,
  ReplaySession,
} from "./replay-transcript.ts";
export { replayTranscript } from "./replay-transcript.ts";
export type {
  Transcript,
  TranscriptJob,
  TranscriptMessage,
  TranscriptStep,
} from "./transcript-types.ts";
