/** Cell: a message that fits one chunk goes as a single `BDAT <size> LAST` (CHUNKING servers). */
import { arrivalProblems, describeError, settle } from "../checks.ts";
import { fail, notApplicable, verdict } from "../outcome.ts";
import type { Cell } from "./cell.ts";

/** @since 0.1.0 */
export const bdatLastCell: Cell = {
  id: "bdat-last",
  title: "CHUNKING: a small message is one `BDAT <size> LAST` (no extra `BDAT 0 LAST`)",
  protocols: ["smtp", "lmtp"],
  async run(ctx) {
    const caps = ctx.capabilities;
    // The client uses BDAT only where both are offered.
    if (!caps.chunking || !caps.pipelining) return notApplicable("no CHUNKING with PIPELINING");
    const client = ctx.client(ctx.usualSecurity);
    const mark = await ctx.mark();
    const sent = await settle(client.send(ctx.message(0)));
    if (!sent.ok) return fail(`send failed: ${describeError(sent.error)}`);
    await client.close();
    const bdat = ctx.transcript.commands("BDAT").map((l) => l.text);
    const problems: string[] = [];
    if (bdat.length !== 1 || !/^BDAT [1-9]\d* LAST$/i.test(bdat[0] ?? "")) {
      problems.push(
        `sent ${bdat.map((b) => `"${b}"`).join(", ") || "no BDAT"}, expected one "BDAT <size> LAST"`,
      );
    }
    const arrivals = await ctx.arrivals(mark, [0]);
    problems.push(...arrivalProblems(arrivals, ctx.idOf(0), { copies: 1, label: "the message" }));
    return verdict(problems);
  },
};
