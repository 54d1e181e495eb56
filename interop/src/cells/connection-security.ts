/** Cells: one message without TLS, over STARTTLS and over implicit TLS. */
import { describeError } from "../checks.ts";
import type { CellContext, Security } from "../context.ts";
import { notApplicable, verdict } from "../outcome.ts";
import type { Cell } from "./cell.ts";

/** Sends message 0 over `security` (with AUTH when `auth`): the problems, if any. */
async function deliverOne(ctx: CellContext, security: Security, auth: boolean): Promise<string[]> {
  const s = ctx.server;
  const options = auth ? { auth: { user: s.user, pass: s.pass } } : {};
  const { sent, mark } = await ctx.sendOne(ctx.message(0), security, options);
  if (!sent.ok) return [`send failed: ${describeError(sent.error)}`];
  return (await ctx.deliveredOnce(mark)).problems;
}

/** @since 0.1.0 */
export const plainCell: Cell = {
  id: "plain",
  title: "no TLS (plaintext session)",
  protocols: ["smtp", "lmtp"],
  async run(ctx) {
    const problems = await deliverOne(ctx, "plain", false);
    if (ctx.transcript.commands("STARTTLS").length > 0) problems.push("STARTTLS was sent");
    return verdict(problems);
  },
};

/** @since 0.1.0 */
export const starttlsCell: Cell = {
  id: "starttls",
  title: "STARTTLS, no AUTH",
  protocols: ["smtp"],
  async run(ctx) {
    if (ctx.server.starttlsPort === undefined) return notApplicable("no STARTTLS port");
    const problems = await deliverOne(ctx, "starttls", false);
    if (ctx.transcript.commands("STARTTLS").length !== 1)
      problems.push("no STARTTLS in the session");
    if (ctx.transcript.commands("AUTH").length > 0) problems.push("AUTH was sent");
    return verdict(problems);
  },
};

/** @since 0.1.0 */
export const implicitTlsCell: Cell = {
  id: "implicit-tls",
  title: "implicit TLS (AUTH where the port requires it)",
  protocols: ["smtp"],
  async run(ctx) {
    if (ctx.server.implicitPort === undefined) return notApplicable("no implicit-TLS port");
    const problems = await deliverOne(ctx, "implicit", ctx.server.implicitNeedsAuth);
    return verdict(problems, ctx.server.implicitNeedsAuth ? "with AUTH" : undefined);
  },
};
