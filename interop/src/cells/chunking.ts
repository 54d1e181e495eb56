/** Cell: a message that fits one chunk goes as a single `BDAT <size> LAST` (CHUNKING servers). */
import { describeError } from "../checks.ts";
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
    const { sent, mark } = await ctx.sendOne(ctx.message(0));
    if (!sent.ok) return fail(`send failed: ${describeError(sent.error)}`);
    const bdat = ctx.transcript.commands("BDAT").map((l) => l.text);
    const problems: string[] = [];
    if (bdat.length !== 1 || !/^BDAT [1-9]\d* LAST$/i.test(bdat[0] ?? "")) {
      const what = bdat.map((b) => `"${b}"`).join(", ") || "no BDAT";
      problems.push(`sent ${what}, expected one "BDAT <size> LAST"`);
    }
    problems.push(...(await ctx.deliveredOnce(mark)).problems);
    return verdict(problems);
  },
};
