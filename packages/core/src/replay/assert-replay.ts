import { equalBytes, firstDifference, showBytes } from "./bytes.ts";
import type { Chunking } from "./chunking.ts";
import { parseTranscript } from "./parse-transcript.ts";
import {
  type ReplayFailure,
  type ReplayJobOutcome,
  type ReplayOptions,
  type ReplayOutcome,
  replayTranscript,
} from "./replay-transcript.ts";
import type { Transcript } from "./transcript-types.ts";

/**
 * Thrown by {@link assertReplay} and {@link assertReplayEveryChunking}: the message names the
 * transcript line, the chunking, and shows expected and actual client bytes with the first
 * difference marked.
 *
 * @since 0.1.0
 */
export class ReplayAssertionError extends Error {
  /** Always `"ReplayAssertionError"`. */
  override readonly name = "ReplayAssertionError";
  /** The failure, when a single replay failed (not when two chunkings disagreed). */
  readonly failure: ReplayFailure | undefined;
  /** The chunking of the failing replay. */
  readonly chunking: Chunking;

  constructor(message: string, failure: ReplayFailure | undefined, chunking: Chunking) {
    super(message);
    this.failure = failure;
    this.chunking = chunking;
  }
}

function describeChunking(chunking: Chunking): string {
  if (typeof chunking === "string") return chunking;
  if (typeof chunking === "function") return "custom";
  return "splitAt" in chunking ? `split at ${chunking.splitAt}` : `seed ${chunking.seed}`;
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
}

/**
 * Formats a failure for humans: where it happened and, for a byte mismatch, both sides
 * with printable escapes and the offset of the first differing byte.
 *
 * @since 0.1.0
 */
export function formatReplayFailure(
  failure: ReplayFailure,
  chunking: Chunking = "whole",
  name?: string,
): string {
  const where = failure.line > 0 ? `line ${failure.line}` : "end of transcript";
  let text = `replay${name ? ` of ${name}` : ""} failed at ${where} (chunking: ${describeChunking(chunking)}): ${failure.message}`;
  if (failure.expected && failure.actual) {
    const at = firstDifference(failure.expected, failure.actual);
    text += `\n  first difference at byte ${at}`;
    text += `\n  expected client bytes:\n${indent(showBytes(failure.expected) || "(nothing)")}`;
    text += `\n  actual client bytes:\n${indent(showBytes(failure.actual) || "(nothing)")}`;
  }
  return text;
}

/** Accepts a transcript as text or already parsed. */
function toTranscript(transcript: Transcript | string): Transcript {
  return typeof transcript === "string" ? parseTranscript(transcript) : transcript;
}

/**
 * Replays a transcript once and throws a {@link ReplayAssertionError} if anything differs.
 *
 * @param transcript - The `.smtp` text, or a parsed {@link Transcript}.
 * @param options - The session factory, the chunking, and `name` for messages.
 * @returns The outcome, for further assertions.
 * @since 0.1.0
 */
export function assertReplay(
  transcript: Transcript | string,
  options: ReplayOptions & { name?: string } = {},
): ReplayOutcome {
  const outcome = replayTranscript(toTranscript(transcript), options);
  if (outcome.failure) {
    const chunking = options.chunking ?? "whole";
    throw new ReplayAssertionError(
      formatReplayFailure(outcome.failure, chunking, options.name),
      outcome.failure,
      chunking,
    );
  }
  return outcome;
}

/** What must be identical between two replays of the same transcript. */
function summarise(outcome: ReplayOutcome): string {
  const error = (value: unknown): unknown => {
    if (!(value instanceof Error)) return value;
    const { kind, code, enhancedCode, phase, detail, retryable, command, rejected } =
      value as unknown as Record<string, unknown>;
    return {
      kind,
      code,
      enhancedCode,
      phase,
      detail,
      retryable,
      command,
      rejected,
      message: value.message,
    };
  };
  const result = (value: ReplayJobOutcome): unknown => {
    if (value === undefined) return null;
    if ("thrown" in value) return { thrown: error(value.thrown) };
    return "error" in value ? { ...value, error: error(value.error) } : value;
  };
  return JSON.stringify({
    results: outcome.results.map(result),
    close: outcome.close
      ? { reason: outcome.close.reason, error: error(outcome.close.error) }
      : null,
    state: outcome.state,
  });
}

/**
 * The chunkings {@link assertReplayEveryChunking} uses for a transcript: whole, one byte at
 * a time, a cut at every offset `n` (each batch longer than `n` is cut at `n`, so every
 * offset of every batch is covered), and one seeded random cutting per seed. With
 * `splitBody`, the offsets also cover every message body.
 *
 * @since 0.1.0
 */
export function everyChunking(
  transcript: Transcript,
  seeds: readonly number[] = [1, 2, 3],
  splitBody = false,
): Chunking[] {
  let longest = 0;
  for (const step of transcript.steps) {
    if (step.type === "server") longest = Math.max(longest, step.bytes.length);
  }
  if (splitBody) {
    for (const message of transcript.job.messages) longest = Math.max(longest, message.body.length);
  }
  const chunkings: Chunking[] = ["whole", "bytes"];
  for (let at = 1; at < longest; at++) chunkings.push({ splitAt: at });
  for (const seed of seeds) chunkings.push({ seed });
  return chunkings;
}

/**
 * Replays a transcript with every chunking of {@link everyChunking} and throws a
 * {@link ReplayAssertionError} at the first failing replay, or when two chunkings give
 * different results, close or bytes.
 *
 * @returns The outcome of the whole (unsplit) replay.
 * @since 0.1.0
 */
export function assertReplayEveryChunking(
  transcript: Transcript | string,
  options: Omit<ReplayOptions, "chunking"> & { name?: string; seeds?: readonly number[] } = {},
): ReplayOutcome {
  const parsed = toTranscript(transcript);
  const { seeds, ...rest } = options;
  const first = assertReplay(parsed, { ...rest, chunking: "whole" });
  const reference = summarise(first);
  for (const chunking of everyChunking(parsed, seeds, rest.splitBody === true).slice(1)) {
    const outcome = assertReplay(parsed, { ...rest, chunking });
    if (!equalBytes(outcome.written, first.written) || summarise(outcome) !== reference) {
      throw new ReplayAssertionError(
        `replay${options.name ? ` of ${options.name}` : ""} differs between chunking "whole" and "${describeChunking(chunking)}":\n  whole: ${reference}\n  other: ${summarise(outcome)}`,
        undefined,
        chunking,
      );
    }
  }
  return first;
}
