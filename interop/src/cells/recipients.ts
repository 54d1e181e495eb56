/** Cell: one good, one unknown and one relay-denied recipient in one message. */
import type { RejectedRecipient } from "../../../packages/client/src/index.ts";
import { describeError } from "../checks.ts";
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
  const enhanced = refusal.enhancedCode ? `${refusal.enhancedCode} ` : "";
  const line = `${refusal.code} ${enhanced}${refusal.message.split("\n")[0]}`;
  const problems: string[] = [];
  if (refusal.code < 500) problems.push(`${address} refused with ${refusal.code}, expected 5xx`);
  if (!ctx.transcript.lines.some((l) => l.direction === "S" && l.text === line)) {
    problems.push(`${address}: "${line}" is not a reply the server sent`);
  }
  return problems;
}

/** @since 0.1.0 */
export const recipientsCell: Cell = {
  id: "recipients",
  title: "good + unknown + relay-denied recipients: sent to the good one, both refusals listed",
  protocols: ["smtp"],
  async run(ctx) {
    const s = ctx.server;
    const to = [s.mailbox, s.unknownUser, s.relayAddress];
    const { sent, mark } = await ctx.sendOne(ctx.message(0, { to }), "starttls");
    if (!sent.ok) return fail(`send failed: ${describeError(sent.error)}`);
    const { accepted, rejected } = sent.info;
    const problems: string[] = [];
    if (accepted.join() !== s.mailbox) problems.push(`accepted ${JSON.stringify(accepted)}`);
    problems.push(...refusalProblems(ctx, rejected, s.unknownUser));
    problems.push(...refusalProblems(ctx, rejected, s.relayAddress));
    problems.push(...(await ctx.deliveredOnce(mark)).problems);
    return verdict(problems, `refused ${rejected.map((r) => r.code).join("/")}`);
  },
};
