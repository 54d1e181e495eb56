/** Cells: a message of about 10 MB, and one over the server's SIZE limit. */
import { createHash, randomBytes } from "node:crypto";
import { simpleParser } from "mailparser";
import { SmtpError } from "../../../packages/client/src/index.ts";
import { arrivalProblems, describeError, settle } from "../checks.ts";
import { fail, notApplicable, verdict } from "../outcome.ts";
import type { Cell } from "./cell.ts";

/**
 * 7.5 MB of random bytes: base64 with line breaks makes a message of about 10.3 MB, just
 * under the 10 MiB SIZE every peer advertises (a 10 MB attachment itself could not fit).
 */
const LARGE_ATTACHMENT = 7_500_000;
/** Base64 lines of 76 characters plus CRLF: 4/3 × 78/76 of the raw size. */
const ENCODED_RATIO = (4 / 3) * (78 / 76);

/** @since 0.1.0 */
export const largeMessageCell: Cell = {
  id: "large-10mb",
  title: "10 MB message (7.5 MB attachment, base64)",
  protocols: ["smtp"],
  async run(ctx) {
    const content = new Uint8Array(randomBytes(LARGE_ATTACHMENT));
    const digest = createHash("sha256").update(content).digest("hex");
    const client = ctx.client("starttls");
    const mark = await ctx.mark();
    const message = ctx.message(0, { attachments: [{ filename: "random.bin", content }] });
    const sent = await settle(client.send(message));
    if (!sent.ok) return fail(`send failed: ${describeError(sent.error)}`);
    await client.close();
    const arrivals = await ctx.arrivals(mark, [0], { timeoutMs: 60_000 });
    const problems = arrivalProblems(arrivals, ctx.idOf(0), { copies: 1, label: "the message" });
    const stored = arrivals.find((m) => m.messageId === ctx.idOf(0));
    if (stored) {
      const parsed = await simpleParser(Buffer.from(stored.raw));
      const attachment = parsed.attachments[0];
      const got = attachment
        ? createHash("sha256").update(attachment.content).digest("hex")
        : "none";
      if (got !== digest)
        problems.push(`attachment SHA-256 ${got.slice(0, 12)}…, sent ${digest.slice(0, 12)}…`);
    }
    return verdict(problems, `${(stored?.raw.length ?? 0).toLocaleString("en")} bytes stored`);
  },
};

/** @since 0.1.0 */
export const sizeLimitCell: Cell = {
  id: "size-limit",
  title: "over the SIZE limit: typed `size` error, no body sent",
  protocols: ["smtp"],
  async run(ctx) {
    const limit = ctx.capabilities.size;
    if (limit === undefined || limit === 0) return notApplicable("advertises no SIZE limit");
    // About 100 KB over the advertised limit.
    const raw = Math.ceil((limit + 100_000) / ENCODED_RATIO);
    const client = ctx.client("starttls");
    const mark = await ctx.mark();
    const content = new Uint8Array(raw);
    const sent = await settle(
      client.send(ctx.message(0, { attachments: [{ filename: "big.bin", content }] })),
    );
    if (sent.ok) return fail(`a message over SIZE ${limit} was sent: ${sent.info.response}`);
    const problems: string[] = [];
    if (!(sent.error instanceof SmtpError) || sent.error.kind !== "size") {
      problems.push(`expected SmtpError size, got ${describeError(sent.error)}`);
    }
    for (const command of ["DATA", "BDAT"]) {
      if (ctx.transcript.commands(command).length > 0) problems.push(`${command} was sent`);
    }
    const arrivals = await ctx.arrivals(mark, [], { settleMs: 300 });
    problems.push(...arrivalProblems(arrivals, ctx.idOf(0), { copies: 0, label: "the message" }));
    return verdict(problems, describeError(sent.error));
  },
};
