/** Cells: a message of about 10 MB, and one over the server's SIZE limit. */
import { createHash, randomBytes } from "node:crypto";
import { simpleParser } from "mailparser";
import { SmtpError } from "../../../packages/client/src/index.ts";
import { describeError } from "../checks.ts";
import { fail, notApplicable, verdict } from "../outcome.ts";
import type { Cell } from "./cell.ts";

/**
 * 7.5 MB of random bytes: base64 with line breaks makes a message of about 10.3 MB, just
 * under the 10 MiB SIZE every peer advertises (a 10 MB attachment itself could not fit).
 */
const LARGE_ATTACHMENT = 7_500_000;
/** Base64 lines of 76 characters plus CRLF: 4/3 × 78/76 of the raw size. */
const ENCODED_RATIO = (4 / 3) * (78 / 76);

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** @since 0.1.0 */
export const largeMessageCell: Cell = {
  id: "large-10mb",
  title: "10 MB message (7.5 MB attachment, base64)",
  protocols: ["smtp"],
  async run(ctx) {
    const content = new Uint8Array(randomBytes(LARGE_ATTACHMENT));
    const message = ctx.message(0, { attachments: [{ filename: "random.bin", content }] });
    const { sent, mark } = await ctx.sendOne(message, "starttls");
    if (!sent.ok) return fail(`send failed: ${describeError(sent.error)}`);
    const { problems, stored } = await ctx.deliveredOnce(mark, 0, { timeoutMs: 60_000 });
    if (stored) {
      const attachment = (await simpleParser(Buffer.from(stored.raw))).attachments[0];
      const got = attachment ? sha256(attachment.content) : "none";
      const want = sha256(content);
      if (got !== want)
        problems.push(`attachment SHA-256 ${got.slice(0, 12)}…, sent ${want.slice(0, 12)}…`);
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
    const content = new Uint8Array(Math.ceil((limit + 100_000) / ENCODED_RATIO));
    const message = ctx.message(0, { attachments: [{ filename: "big.bin", content }] });
    const { sent, mark } = await ctx.sendOne(message, "starttls");
    if (sent.ok) return fail(`a message over SIZE ${limit} was sent: ${sent.info.response}`);
    const problems: string[] = [];
    if (!(sent.error instanceof SmtpError) || sent.error.kind !== "size") {
      problems.push(`expected SmtpError size, got ${describeError(sent.error)}`);
    }
    for (const command of ["DATA", "BDAT"]) {
      if (ctx.transcript.commands(command).length > 0) problems.push(`${command} was sent`);
    }
    problems.push(...(await ctx.neverDelivered(mark)));
    return verdict(problems, describeError(sent.error));
  },
};
