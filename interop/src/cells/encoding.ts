/** Cells: non-ASCII text (8BITMIME) and a non-ASCII address (SMTPUTF8). */
import { simpleParser } from "mailparser";
import { SmtpError } from "../../../packages/client/src/index.ts";
import { describeError } from "../checks.ts";
import { fail, verdict } from "../outcome.ts";
import type { Cell } from "./cell.ts";

const UTF8_SUBJECT = "Grüße aus Zürich: 日本語 ✓";
const UTF8_TEXT =
  "Größenordnung, naïve café, Ελληνικά, 日本語, emoji 🚀.\nSecond line: ÄÖÜ äöü ß.\n";

/** @since 0.1.0 */
export const eightBitCell: Cell = {
  id: "8bitmime",
  title: "8-bit text (8BITMIME where offered): arrives intact",
  protocols: ["smtp"],
  async run(ctx) {
    const message = ctx.message(0, { subject: UTF8_SUBJECT, text: UTF8_TEXT });
    const { sent, mark } = await ctx.sendOne(message, "starttls");
    if (!sent.ok) return fail(`send failed: ${describeError(sent.error)}`);
    const { problems, stored } = await ctx.deliveredOnce(mark);
    if (stored) {
      const parsed = await simpleParser(Buffer.from(stored.raw));
      if (parsed.subject !== UTF8_SUBJECT)
        problems.push(`subject arrived as ${JSON.stringify(parsed.subject)}`);
      if (parsed.text !== UTF8_TEXT)
        problems.push(`text arrived as ${JSON.stringify(parsed.text)}`);
    }
    // The client builds every message 7-bit safe, so it never needs BODY=8BITMIME.
    const mail = ctx.transcript.commands("MAIL FROM")[0]?.text ?? "";
    const body = /BODY=8BITMIME/i.test(mail) ? "BODY=8BITMIME" : "sent 7-bit (QP/base64)";
    return verdict(
      problems,
      `${ctx.capabilities.eightBitMime ? "offered" : "not offered"}; ${body}`,
    );
  },
};

/** @since 0.1.0 */
export const smtpUtf8Cell: Cell = {
  id: "smtputf8",
  title: "UTF-8 address: SMTPUTF8 where offered, else a typed error before MAIL",
  protocols: ["smtp"],
  async run(ctx) {
    const s = ctx.server;
    const { sent, mark } = await ctx.sendOne(ctx.message(0, { to: s.utf8Recipient }), "starttls");
    const problems: string[] = [];
    if (ctx.capabilities.smtpUtf8) {
      if (!sent.ok) return fail(`offered, but the send failed: ${describeError(sent.error)}`);
      const mail = ctx.transcript.commands("MAIL FROM")[0]?.text ?? "";
      if (!/\bSMTPUTF8\b/i.test(mail)) problems.push(`MAIL without SMTPUTF8: ${mail}`);
      if (ctx.transcript.commands(`RCPT TO:<${s.utf8Recipient}>`).length !== 1) {
        problems.push("the UTF-8 recipient was not sent as it is");
      }
      problems.push(...(await ctx.deliveredOnce(mark)).problems);
      return verdict(problems, "offered");
    }
    if (sent.ok) return fail(`not offered, yet sent: ${sent.info.response}`);
    const error = sent.error;
    if (!(error instanceof SmtpError) || error.detail !== "smtputf8-unsupported") {
      problems.push(`expected SmtpError (smtputf8-unsupported), got ${describeError(error)}`);
    }
    if (ctx.transcript.commands("MAIL FROM").length > 0) problems.push("MAIL was sent");
    problems.push(...(await ctx.neverDelivered(mark)));
    return verdict(problems, `not offered: ${describeError(error)}`);
  },
};
