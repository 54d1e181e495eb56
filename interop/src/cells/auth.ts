/** Cells: AUTH with each mechanism the server offers, and a wrong password. */
import type { AuthMethod, ClientAuth } from "../../../packages/client/src/index.ts";
import { AUTH_METHODS } from "../../../packages/core/src/index.ts";
import { describeError, replyErrorProblems } from "../checks.ts";
import type { CellContext } from "../context.ts";
import { fail, notApplicable, verdict } from "../outcome.ts";
import type { Cell } from "./cell.ts";

/** The mechanisms the engine implements (the client uses the engine's). */
const CLIENT_MECHANISMS: readonly string[] = AUTH_METHODS;

function credentials(ctx: CellContext, method: string): ClientAuth | undefined {
  const s = ctx.server;
  if (method === "XOAUTH2" || method === "OAUTHBEARER") {
    return s.accessToken === undefined
      ? undefined
      : { user: s.user, accessToken: s.accessToken, method: method as AuthMethod };
  }
  return { user: s.user, pass: s.pass, method: method as AuthMethod };
}

/**
 * A cell for one SASL mechanism: over STARTTLS, AUTH with it, then one message to the
 * mailbox and to an address the server relays to only after AUTH (so acceptance proves
 * the session is authenticated).
 *
 * @since 0.1.0
 */
export function authCell(method: string): Cell {
  return {
    id: `auth-${method.toLowerCase()}`,
    title: `AUTH ${method}`,
    protocols: ["smtp"],
    async run(ctx) {
      const offered = ctx.capabilities.auth;
      if (!offered.includes(method))
        return notApplicable(`offers ${offered.join(" ") || "no AUTH"}`);
      if (!CLIENT_MECHANISMS.includes(method))
        return fail(`the client does not implement ${method}`);
      const auth = credentials(ctx, method);
      if (auth === undefined) return notApplicable("no token this server accepts");
      const s = ctx.server;
      const message = ctx.message(0, { to: [s.mailbox, s.relayAddress] });
      const { sent, mark } = await ctx.sendOne(message, "starttls", { auth });
      if (!sent.ok) return fail(`send failed: ${describeError(sent.error)}`);
      const problems: string[] = [];
      if (ctx.transcript.commands(`AUTH ${method}`).length !== 1)
        problems.push(`no AUTH ${method} sent`);
      if (ctx.transcript.replies(235).length !== 1) problems.push("no 235 reply");
      if (!sent.info.accepted.includes(s.relayAddress)) {
        problems.push(`relay recipient refused after AUTH: ${JSON.stringify(sent.info.rejected)}`);
      }
      problems.push(...(await ctx.deliveredOnce(mark)).problems);
      return verdict(problems);
    },
  };
}

/** @since 0.1.0 */
export const wrongPasswordCell: Cell = {
  id: "wrong-password",
  title: "wrong password: typed `auth` error with the server's reply",
  protocols: ["smtp"],
  async run(ctx) {
    if (ctx.capabilities.auth.length === 0) return notApplicable("offers no AUTH");
    const auth = { user: ctx.server.user, pass: "not-the-password" };
    const { sent, mark } = await ctx.sendOne(ctx.message(0), "starttls", { auth });
    if (sent.ok) return fail(`sent with a wrong password: ${sent.info.response}`);
    const problems = replyErrorProblems(sent.error, "auth", ctx.transcript);
    if (ctx.transcript.commands("MAIL FROM").length > 0)
      problems.push("MAIL was sent after the refusal");
    problems.push(...(await ctx.neverDelivered(mark)));
    return verdict(problems, describeError(sent.error));
  },
};
