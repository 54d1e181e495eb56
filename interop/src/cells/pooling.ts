/**
 * Cells on one pooled connection: 50 messages in flight at once; the eight mixed-outcome
 * messages of issue 9 (every second one only to an unknown user, each with its own sender);
 * QUIT when the client closes.
 */
import { SmtpError } from "../../../packages/client/src/index.ts";
import { arrivalProblems, describeError, replyErrorProblems } from "../checks.ts";
import type { CellContext } from "../context.ts";
import { fail, verdict } from "../outcome.ts";
import type { Cell } from "./cell.ts";
import {
  connectionProblems,
  everySecondRefused,
  sendConcurrently,
  senderOf,
  sentIndexes,
} from "./one-connection.ts";

/** @since 0.1.0 */
export const pool50Cell: Cell = {
  id: "pooled-50",
  title: "50 messages at once on one pooled connection",
  protocols: ["smtp", "lmtp"],
  async run(ctx) {
    const count = 50;
    const mark = await ctx.mark();
    const results = await sendConcurrently(ctx, count, () => ({ to: ctx.server.mailbox }));
    // Wait only for those reported sent; the settling time still catches any other arrival.
    const arrivals = await ctx.arrivals(mark, sentIndexes(results));
    const failed = results.flatMap((r, i) => (r.ok ? [] : [{ i, error: r.error }]));
    const problems: string[] = [];
    if (failed.length > 0) {
      const which = failed.map((f) => `#${f.i}`).join(" ");
      problems.push(
        `${failed.length}/${count} failed (${which}), first with ${describeError(failed[0]?.error)}`,
      );
    }
    // Each one stored once under its own sender if reported sent, never if reported failed.
    results.forEach((r, i) => {
      const expected = { copies: r.ok ? 1 : 0, from: senderOf(ctx, i), label: `#${i}` };
      problems.push(...arrivalProblems(arrivals, ctx.idOf(i), expected));
    });
    problems.push(...connectionProblems(ctx));
    return verdict(problems, `${count} delivered on one connection`);
  },
};

/** @since 0.1.0 */
export const mixedOutcomesCell: Cell = {
  id: "mixed-outcomes",
  title: "8 at once on one connection, each its own sender, every 2nd only to an unknown user",
  protocols: ["smtp", "lmtp"],
  async run(ctx) {
    const { problems } = await everySecondRefused(ctx, {
      what: "unknown user only",
      first: 1,
      fields: { to: ctx.server.unknownUser },
      problems: (error) => unknownUserProblems(ctx, error),
    });
    return verdict(problems);
  },
};

/** A message refused for its only recipient: `rejected`, listing that recipient. */
function unknownUserProblems(ctx: CellContext, error: unknown): string[] {
  const problems = replyErrorProblems(error, "rejected", ctx.transcript);
  if (
    error instanceof SmtpError &&
    !error.rejected?.some((r) => r.address === ctx.server.unknownUser)
  ) {
    problems.push(`failed with ${describeError(error)}, not with its recipient's refusal`);
  }
  return problems;
}

/** @since 0.1.0 */
export const quitCell: Cell = {
  id: "quit",
  title: "close(): QUIT, the server's 221, connection closed",
  protocols: ["smtp", "lmtp"],
  async run(ctx) {
    const pool = { maxConnections: 1 };
    const { sent } = await ctx.sendOne(ctx.message(0), ctx.usualSecurity, { pool });
    if (!sent.ok) return fail(`send failed: ${describeError(sent.error)}`);
    const lines = ctx.transcript.lines.filter((l) => l.direction !== "*");
    const quitAt = lines.findIndex((l) => l.direction === "C" && l.text === "QUIT");
    const problems: string[] = [];
    if (quitAt === -1) problems.push("no QUIT sent");
    else if (quitAt !== lines.length - 2) problems.push("QUIT is not the last command");
    const last = lines[lines.length - 1];
    if (last?.direction !== "S" || !last.text.startsWith("221")) {
      problems.push(
        `last line is ${last ? `${last.direction}: ${last.text}` : "nothing"}, not the 221`,
      );
    }
    return verdict(problems);
  },
};
