/** Cell (LMTP): per-recipient replies after the data, with an unknown recipient refused. */
import { arrivalProblems, describeError } from "../checks.ts";
import { fail, verdict } from "../outcome.ts";
import type { TranscriptLine } from "../transcript.ts";
import type { Cell } from "./cell.ts";

const isDataEnd = (l: TranscriptLine) =>
  l.direction === "C" && /^(BDAT \d+ LAST|DATA)/i.test(l.text);

/** @since 0.1.0 */
export const lmtpPerRecipientCell: Cell = {
  id: "lmtp-per-recipient",
  title: "LMTP: two mailboxes + an unknown user, one reply per recipient after the data",
  protocols: ["lmtp"],
  async run(ctx) {
    const s = ctx.server;
    const to = [s.mailbox, s.secondMailbox, s.unknownUser];
    const { sent, mark } = await ctx.sendOne(ctx.message(0, { to }), "plain");
    if (!sent.ok) return fail(`send failed: ${describeError(sent.error)}`);
    const problems: string[] = [];
    const { accepted, rejected } = sent.info;
    if (accepted.join() !== [s.mailbox, s.secondMailbox].join())
      problems.push(`accepted ${JSON.stringify(accepted)}`);
    if (rejected.length !== 1 || rejected[0]?.address !== s.unknownUser) {
      problems.push(`rejected ${JSON.stringify(rejected)}`);
    }
    if (ctx.transcript.commands("LHLO").length === 0) problems.push("no LHLO");
    // After the last data command: one 250 per accepted recipient (DATA's 354 is no 250,
    // BDAT LAST has no intermediate reply).
    const lines = ctx.transcript.lines;
    const dataEnd = lines.length - 1 - [...lines].reverse().findIndex(isDataEnd);
    const after = lines
      .slice(dataEnd + 1)
      .filter((l) => l.direction === "S" && l.text.startsWith("250"));
    if (after.length < 2)
      problems.push(`${after.length} 250 replies after the data, expected one per recipient`);
    const arrivals = await ctx.arrivals(mark, [0]);
    const from = "sender@senders.test";
    problems.push(
      ...arrivalProblems(arrivals, ctx.idOf(0), { copies: 2, from, label: "the message" }),
    );
    const boxes = new Set(arrivals.map((m) => m.mailbox));
    if (boxes.size !== 2)
      problems.push(`stored in ${[...boxes].join(", ")}, expected both mailboxes`);
    return verdict(problems);
  },
};
