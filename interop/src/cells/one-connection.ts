/**
 * What the cells that send many messages at once on one pooled connection share: each
 * message with its own envelope sender, the indexes reported sent, the connection count, and
 * the eight-message run where every second message is refused.
 */
import type { MessageInput } from "../../../packages/client/src/index.ts";
import { arrivalProblems, describeError, type Settled, settle } from "../checks.ts";
import type { CellContext } from "../context.ts";

/** The envelope sender of message `i`: unique, so a message stored under another's shows. */
export const senderOf = (ctx: CellContext, i: number) => `${ctx.cellId}-${i}@senders.test`;

/**
 * Sends `count` messages concurrently over one pooled connection, message `i` from
 * {@link senderOf} with `fields(i)` added (recipients, headers).
 */
export async function sendConcurrently(
  ctx: CellContext,
  count: number,
  fields: (i: number) => Partial<MessageInput>,
): Promise<Settled[]> {
  const client = ctx.client(ctx.usualSecurity, { pool: { maxConnections: 1 } });
  const messages = Array.from({ length: count }, (_, i) =>
    ctx.message(i, { from: senderOf(ctx, i), ...fields(i) }),
  );
  const results = await Promise.all(messages.map((m) => settle(client.send(m))));
  await client.close();
  return results;
}

/** The indexes of the messages reported sent. */
export const sentIndexes = (results: readonly Settled[]) =>
  results.flatMap((r, i) => (r.ok ? [i] : []));

/** A problem unless the cell's clients opened exactly one connection. */
export function connectionProblems(ctx: CellContext): string[] {
  const n = ctx.transcript.connections();
  return n === 1 ? [] : [`${n} connections were used, expected 1`];
}

/** How a cell gets every second message refused, and what it expects of the refusal. */
export interface Refusal {
  /** What makes such a message refused, for failure reasons (e.g. "unknown user only"). */
  what: string;
  /**
   * The first refused message: #1 (then #3, #5, #7) or #0 (then #2, #4, #6). Starting with #0
   * writes a message behind a refused one before any outcome is known, so before a server
   * that answers 503 to pipelined commands (Haraka) has made the client stop pipelining.
   */
  first: 0 | 1;
  /** The fields that make a message refused. */
  fields: Partial<MessageInput>;
  /** Problems with the error a refused message failed with (none: refused as expected). */
  problems(error: unknown): string[];
}

/**
 * Sends eight messages at once on one pooled connection, each with its own sender, every
 * second one (from `refusal.first`) with `refusal.fields`; then checks that each of those
 * failed as `refusal` expects and was never stored, that each other one was reported sent
 * and stored exactly once under its own envelope sender, and that one connection was used.
 */
export async function everySecondRefused(
  ctx: CellContext,
  refusal: Refusal,
): Promise<{ results: Settled[]; problems: string[] }> {
  const isRefused = (i: number) => i % 2 === refusal.first;
  const mark = await ctx.mark();
  const results = await sendConcurrently(ctx, 8, (i) => (isRefused(i) ? refusal.fields : {}));
  const arrivals = await ctx.arrivals(mark, sentIndexes(results), { settleMs: 1500 });
  const problems: string[] = [];
  results.forEach((result, i) => {
    const label = `#${i}`;
    if (isRefused(i)) {
      if (result.ok)
        problems.push(`${label} (${refusal.what}) reported sent: ${result.info.response}`);
      else problems.push(...refusal.problems(result.error).map((p) => `${label}: ${p}`));
      problems.push(...arrivalProblems(arrivals, ctx.idOf(i), { copies: 0, label }));
    } else {
      if (!result.ok) problems.push(`${label} failed: ${describeError(result.error)}`);
      // Stored once under its own sender if reported sent; never if reported failed.
      const expected = { copies: result.ok ? 1 : 0, from: senderOf(ctx, i), label };
      problems.push(...arrivalProblems(arrivals, ctx.idOf(i), expected));
    }
  });
  problems.push(...connectionProblems(ctx));
  return { results, problems };
}
