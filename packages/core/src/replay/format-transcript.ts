import type { TranscriptEntry } from "../session-types.ts";

/** Options of {@link formatTranscript}. @since 0.1.0 */
export interface FormatTranscriptOptions {
  /** Written as `@source`. */
  source?: string;
  /** Written as `@job` (session options and messages, see the README's format). */
  job?: Record<string, unknown>;
}

const REDACTED = "<redacted>";

/**
 * Turns the lines a `Session` recorded (`SessionOptions.transcript`) into a `.smtp` draft:
 * server lines become `S:`, client lines `C:`, the TLS upgrade and end-of-stream become
 * markers. What the recorder never sees is marked with comments to fill in: message bodies
 * (only the final `.` and BDAT headers are recorded) and AUTH payloads (always redacted).
 * Replay the draft with `assertReplay` once it is complete.
 *
 * @since 0.1.0
 */
export function formatTranscript(
  entries: readonly TranscriptEntry[],
  options: FormatTranscriptOptions = {},
): string {
  const out: string[] = ["# Recorded by @smtp/core; S: lines are the server's, as received."];
  if (options.source !== undefined) out.push(`@source ${options.source.replace(/[\r\n]+/g, " ")}`);
  out.push(`@job ${JSON.stringify(options.job ?? {})}`);
  let inData = false;
  for (const { direction, text } of entries) {
    if (direction === "S") {
      out.push(text === "" ? "S:" : `S: ${text}`);
      if (/^354[ -]/.test(text)) inData = true;
      continue;
    }
    if (direction === "*") {
      if (text === "TLS established") out.push("-- starttls --");
      else if (text === "end of stream") out.push("-- eof --");
      else out.push(`# ${text}`);
      continue;
    }
    if (text.includes(REDACTED)) {
      out.push("# The recorder redacts AUTH payloads: write the one for your test credentials.");
    } else if (inData && text === ".") {
      out.push("# The body is not recorded: put it here as the client sends it, dot-stuffed.");
      inData = false;
    } else if (/^BDAT \d+/.test(text)) {
      out.push("# The chunk's bytes follow this BDAT line; they are not recorded.");
    }
    out.push(text === "" ? "C:" : `C: ${text}`);
  }
  return `${out.join("\n")}\n`;
}
