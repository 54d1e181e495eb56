import { SmtpError } from "@smtp/client";
import {
  assertReplayEveryChunking,
  everyChunking,
  formatReplayFailure,
  parseTranscript,
  ReplayAssertionError,
  type ReplayJobOutcome,
  replayTranscript,
} from "@smtp/core/replay";
import { Command } from "commander";
import type { CommandContext } from "../context.ts";
import { EXIT_CODES } from "../exit-codes.ts";
import { readText } from "../files.ts";
import { printJson } from "../io.ts";
import type { ReplayReport } from "../reports.ts";

interface ReplayFlags {
  everyChunking?: boolean;
  json?: boolean;
}

/** Largest transcript read. */
const MAX_TRANSCRIPT = 64 * 1024 * 1024;

function messageOutcome(outcome: ReplayJobOutcome): ReplayReport["messages"][number] {
  if (outcome === undefined) return { outcome: "none", kind: null };
  if (outcome.ok) return { outcome: "delivered", kind: null };
  const error = "thrown" in outcome ? outcome.thrown : outcome.error;
  return { outcome: "failed", kind: error instanceof SmtpError ? error.kind : "unexpected" };
}

/** `smtp replay FILE.smtp`. */
export function replayCommand(context: CommandContext): Command {
  return new Command("replay")
    .description(
      "replay a .smtp transcript against the @smtp engine and print the first divergence (exit 14 on one)",
    )
    .argument("<file.smtp>", "the transcript (from smtp record, or written by hand)")
    .option(
      "--every-chunking",
      "also replay with the server's bytes cut at every offset, one byte at a time and at random",
    )
    .option("--json", "print the outcome as JSON (schema: REPLAY_REPORT_SCHEMA)")
    .action(async (file: string, flags: ReplayFlags) => {
      const { io } = context;
      const text = await readText("replay", file, MAX_TRANSCRIPT);
      const transcript = parseTranscript(text);
      const outcome = replayTranscript(transcript, { chunking: "whole" });
      let chunkings = 1;
      let failure: ReplayReport["failure"] = outcome.failure
        ? {
            line: outcome.failure.line,
            message: formatReplayFailure(outcome.failure, "whole", file),
          }
        : null;
      if (failure === null && flags.everyChunking) {
        try {
          assertReplayEveryChunking(transcript, { name: file });
          chunkings = everyChunking(transcript).length;
        } catch (error) {
          if (!(error instanceof ReplayAssertionError)) throw error;
          failure = { line: error.failure?.line ?? 0, message: error.message };
        }
      }
      const report: ReplayReport = {
        file,
        ok: failure === null,
        source: transcript.source ?? null,
        chunkings,
        messages: outcome.results.map(messageOutcome),
        failure,
      };
      if (flags.json) printJson(io, report);
      else if (failure) io.stderr.write(`${failure.message}\n`);
      else {
        const delivered = report.messages.filter((m) => m.outcome === "delivered").length;
        io.stdout.write(
          `${file}: the engine follows the transcript (${transcript.steps.length} steps, ${report.messages.length} message(s), ${delivered} delivered${flags.everyChunking ? `, ${chunkings} chunkings` : ""})\n`,
        );
      }
      context.exit(failure ? EXIT_CODES["replay-diverged"] : EXIT_CODES.ok);
    });
}
