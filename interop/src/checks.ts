/** Checks shared by the cells: send outcomes, typed errors against the server's replies, arrivals. */
import { type SendInfo, SmtpError } from "../../packages/client/src/index.ts";
import type { StoredMessage } from "./store/stored-message.ts";
import type { TranscriptLog } from "./transcript.ts";

/** A `send()` that resolved or rejected. @since 0.1.0 */
export type Settled = { ok: true; info: SendInfo } | { ok: false; error: unknown };

/** Awaits a send without throwing. @since 0.1.0 */
export async function settle(sending: Promise<SendInfo>): Promise<Settled> {
  try {
    return { ok: true, info: await sending };
  } catch (error) {
    return { ok: false, error };
  }
}

/** A short description of an error, for a failure reason. @since 0.1.0 */
export function describeError(error: unknown): string {
  if (error instanceof SmtpError) {
    const reply =
      error.code === undefined ? "" : ` ${error.code} ${error.response ?? ""}`.trimEnd();
    const detail = error.detail === undefined ? "" : ` (${error.detail})`;
    return `SmtpError ${error.kind}${detail}:${reply || ` ${error.message}`}`;
  }
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Problems with a typed error that should carry one of the server's replies: it must be an
 * {@link SmtpError} of `kind` whose code and first text line are those of a reply the
 * server sent in this cell.
 *
 * @since 0.1.0
 */
export function replyErrorProblems(error: unknown, kind: string, log: TranscriptLog): string[] {
  if (!(error instanceof SmtpError))
    return [`expected SmtpError ${kind}, got ${describeError(error)}`];
  if (error.kind !== kind) return [`expected SmtpError ${kind}, got ${describeError(error)}`];
  if (error.code === undefined) return [`${describeError(error)} carries no server reply`];
  const firstLine = (error.response ?? "").split("\n")[0] ?? "";
  const sent = log
    .replies(error.code)
    .some((line) => line.text.slice(4).includes(firstLine) && /^\d{3}[ -]/.test(line.text));
  return sent ? [] : [`${describeError(error)} is not a reply the server sent`];
}

/**
 * Problems with the arrivals of one message: it must be stored exactly `copies` times
 * (0: never), each time under the envelope sender `from` when given.
 *
 * @since 0.1.0
 */
export function arrivalProblems(
  arrivals: readonly StoredMessage[],
  messageId: string,
  expected: { copies: number; from?: string; label: string },
): string[] {
  const mine = arrivals.filter((m) => m.messageId === messageId);
  const problems: string[] = [];
  if (mine.length !== expected.copies) {
    const what = expected.copies === 0 ? "reported failed but was delivered" : "was not delivered";
    problems.push(
      mine.length > expected.copies && expected.copies > 0
        ? `${expected.label} delivered ${mine.length} times`
        : `${expected.label} ${what}${mine.length > 1 ? ` ${mine.length} times` : ""}`,
    );
  }
  if (expected.from !== undefined) {
    for (const m of mine) {
      if (m.envelopeFrom?.toLowerCase() !== expected.from.toLowerCase()) {
        problems.push(
          `${expected.label} delivered with envelope sender <${m.envelopeFrom ?? "?"}>, not its own <${expected.from}>`,
        );
      }
    }
  }
  return problems;
}
