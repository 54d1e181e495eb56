/** Cell: one good, one unknown and one relay-denied recipient in one message. */
import type { RejectedRecipient } from "../../../packages/client/src/index.ts";
import { arrivalProblems, describeError, settle } from "../checks.ts";
import type { CellContext } from "../context.ts";
import { fail, verdict } from "../outcome.ts";
import type { Cell } from "./cell.ts";

/** Problems with one refused recipient: listed, with a 5xx the server really sent. */
function refusalProblems(
  ctx: CellContext,
  rejected: readonly RejectedRecipient[],
  address: string,
): string[] {
  const refusal = rejected.find((r) => r.address === address);
  if (refusal === undefined) return [`${address} is not listed as rejected`];
  const line = `${refusal.code} ${refusal.enhancedCode ? `${refusal.enhancedCode} ` : ""}${refusal.message.split("\n")[0]}`;
  const sent = ctx.transcript.lines.some((l) => l.direction === "S" && l.text === line);
  const problems: string[] = [];
  if (refusal.code < 500) problems.push(`${address} refused with ${refusal.code}, expected 5xx`);
  if (!sent) problems.push(`${address}: "${line}" is not a reply the server sent`);
  return problems;
}

/** @since 0.1.0 */
export const recipientsCell: Cell = {
  id: "recipients",
  title: "good + unknown + relay-denied recipients: sent to the good one, both refusals listed",
  protocols: ["smtp"],
  async run(ctx) {
    const s = ctx.server;
    const client = ctx.client("starttls");
    const mark = await ctx.mark();
    const to = [s.mailbox, s.unknownUser, s.relayAddress];
    const sent = await settle(client.send(ctx.message(0, { to })));
    if (!sent.ok) return fail(`send failed: ${describeError(sent.error)}`);
    await client.close();
    const { accepted, rejected } = sent.info;
    const problems: string[] = [];
    if (accepted.join() !== s.mailbox) problems.push(`accepted ${JSON.stringify(accepted)}`);
    problems.push(...refusalProblems(ctx, rejected, s.unknownUser));
    problems.push(...refusalProblems(ctx, rejected, s.relayAddress));
    const arrivals = await ctx.arrivals(mark, [0]);
    problems.push(...arrivalProblems(arrivals, ctx.idOf(0), { copies: 1, label: "the message" }));
    const codes = rejected.map((r) => `${r.code}`).join("/");
    return verdict(problems, `refused ${codes}`);
  },
};
