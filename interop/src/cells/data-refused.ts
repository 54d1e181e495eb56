/**
 * Cell: messages refused at their end of data (the final reply after the body, to the `.`
 * of DATA or to `BDAT <n> LAST`), each with the next message pipelined behind it on the same
 * connection. Every SMTP peer has a content rule for this: a message carrying the header
 * {@link REFUSE_HEADER} is refused once its body is in, with a 5xx whose text names the
 * header (smtp-server: the peer's onData; Haraka: plugins/refuse-marked.js; Exim: its
 * acl_smtp_data; Postfix: header_checks).
 */
import { SmtpError } from "../../../packages/client/src/index.ts";
import { describeError, replyErrorProblems, type Settled } from "../checks.ts";
import type { CellContext } from "../context.ts";
import { notApplicable, verdict } from "../outcome.ts";
import type { Cell } from "./cell.ts";
import { everySecondRefused } from "./one-connection.ts";

/** The header that gets a message refused at its end of data by every peer. @since 0.1.0 */
export const REFUSE_HEADER = "X-Interop-Refuse";

/**
 * Eight messages at once on one pooled connection, each with its own sender; #0, #2, #4 and
 * #6 carry {@link REFUSE_HEADER}. The refused ones fail with the server's refusal of their
 * content and are never stored; the others (each written behind a refused end of data,
 * unless the server made the client wait for every outcome) are stored once each, under
 * their own envelope sender; one connection.
 *
 * @since 0.1.0
 */
export const dataRefusedNextCell: Cell = {
  id: "data-refused-next",
  title:
    "8 at once on one connection, every 2nd refused at end of data (after the body): the others delivered once, under their own sender",
  // Dovecot LMTP answers after the data per recipient, and has no content rule here.
  protocols: ["smtp"],
  async run(ctx) {
    // OpenSMTPD: no PIPELINING, and its built-in filters match the envelope and the
    // connection only, never a header; a content rule would need a filter program.
    if (!ctx.capabilities.pipelining)
      return notApplicable("no PIPELINING: nothing is written behind an end of data");
    const { results, problems } = await everySecondRefused(ctx, {
      what: `with ${REFUSE_HEADER}`,
      // #1 goes out behind #0's end of data on every PIPELINING server, even on Haraka,
      // which answers 503 to it and so ends the client's pipelining for the connection.
      first: 0,
      fields: { headers: { [REFUSE_HEADER]: "end-of-data" } },
      problems: (error) => endOfDataRefusalProblems(ctx, error),
    });
    return verdict(problems, noteOf(ctx, results));
  },
};

/** For the table's notes: the first refusal as the server sent it, and any 503 behind it. */
function noteOf(ctx: CellContext, results: readonly Settled[]): string {
  const error = results.find((r) => !r.ok)?.error;
  const refusal =
    error instanceof SmtpError && error.code !== undefined
      ? `${[error.code, error.enhancedCode, error.response].filter(Boolean).join(" ")} (to ${error.command})`
      : describeError(error);
  const n503 = ctx.transcript.replies(503).length;
  const resent = n503 > 0 ? `; ${n503} commands pipelined behind it got 503, sent again` : "";
  return `refused with ${refusal}${resent}`;
}

/**
 * A message refused by the content rule: `rejected`, a 5xx the server sent to its DATA or
 * BDAT, whose text names {@link REFUSE_HEADER} (so not some other refusal, such as a 503 to
 * a command pipelined behind another message's end of data).
 */
function endOfDataRefusalProblems(ctx: CellContext, error: unknown): string[] {
  const problems = replyErrorProblems(error, "rejected", ctx.transcript);
  if (!(error instanceof SmtpError) || problems.length > 0) return problems;
  if ((error.code ?? 0) < 500) problems.push(`refused with ${error.code}, expected a 5xx`);
  if (error.command !== "DATA" && error.command !== "BDAT")
    problems.push(`the refusal answered ${error.command ?? "no command"}, not DATA or BDAT`);
  if (!error.response?.includes(REFUSE_HEADER))
    problems.push(`failed with ${describeError(error)}, not with the refusal of its content`);
  return problems;
}
