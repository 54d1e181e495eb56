import { progress } from "@clack/prompts";
import { SmtpError } from "@smtp/client";
import { Command } from "commander";
import { surveyCsv } from "../bulk/csv.ts";
import { parseTemplateFile } from "../bulk/load-template.ts";
import { parseRate } from "../bulk/rate.ts";
import { runBulk } from "../bulk/run-bulk.ts";
import { placeholdersOf } from "../bulk/template.ts";
import {
  addConnectionFlags,
  type ConnectionFlags,
  resolveConnection,
} from "../connection-flags.ts";
import type { TlsWatch } from "../connector.ts";
import type { CommandContext } from "../context.ts";
import { describeError } from "../errors-output.ts";
import { EXIT_CODES, exitCodeFor } from "../exit-codes.ts";
import { printJson } from "../io.ts";

interface BulkFlags extends ConnectionFlags {
  csv: string;
  template: string;
  rate?: string;
  connections: string;
  failed: string;
  json?: boolean;
  progress?: boolean;
}

function invalid(message: string): SmtpError {
  return new SmtpError({ kind: "invalid-input", message, retryable: false });
}

/** `smtp bulk --csv list.csv --template message.json|.eml`. */
export function bulkCommand(context: CommandContext): Command {
  const command = new Command("bulk").description(
    "one message per CSV row, {{column}} filled in from the row, through a connection pool with a rate limit; failures go to failed.csv",
  );
  addConnectionFlags(command);
  return command
    .requiredOption("--csv <file>", "the list: a CSV file with a header line")
    .requiredOption(
      "--template <file>",
      "the message: .json (a message description: from, to, subject, text, html, attachments, headers) or .eml",
    )
    .option("--rate <n/unit>", "at most this many messages started per unit: 10/s, 600/m, 5/2s")
    .option("--connections <n>", "connections in parallel", "5")
    .option("--failed <file>", "where to write the rows that failed", "failed.csv")
    .option("--json", "print the summary as JSON (schema: BULK_REPORT_SCHEMA)")
    .option("--no-progress", "no progress bar")
    .action(async (flags: BulkFlags) => {
      const { io } = context;
      if (!/^\d{1,3}$/.test(flags.connections) || Number(flags.connections) < 1) {
        throw invalid("--connections must be a number from 1 to 999");
      }
      const rateLimit = flags.rate === undefined ? undefined : parseRate(flags.rate);
      // Everything is checked before the first connection: the template, its columns, the list.
      const template = await parseTemplateFile(flags.template);
      const { columns, rows } = await surveyCsv(flags.csv);
      const unknown = placeholdersOf(template).filter((name) => !columns.includes(name));
      if (unknown.length > 0) {
        throw invalid(
          `--template uses ${unknown.map((n) => `{{${n}}}`).join(", ")}, which ${flags.csv} has no column for (its columns: ${columns.join(", ")})`,
        );
      }
      const watch: TlsWatch = { info: undefined };
      const connection = await resolveConnection(flags, io, watch);
      const options = {
        ...connection.options,
        pool: {
          maxConnections: Number(flags.connections),
          ...(rateLimit === undefined ? {} : { rateLimit }),
        },
      };
      const bar =
        flags.progress !== false && !flags.json && io.stderr.isTTY === true && rows > 0
          ? progress({ output: io.stderr, max: rows, style: "heavy" })
          : undefined;
      bar?.start(`Sending ${rows} messages via ${connection.describe}`);
      const report = await runBulk({
        csv: flags.csv,
        columns,
        total: rows,
        template,
        options,
        failedCsv: flags.failed,
        signal: context.signal,
        onProgress: (_done, counts) =>
          bar?.advance(1, `sent ${counts.sent + counts.partial}, failed ${counts.failed}`),
      });
      const { firstError, stoppedBy, ...summary } = report;
      const seconds = (summary.elapsedMs / 1000).toFixed(1);
      bar?.stop(
        `Done in ${seconds} s: ${summary.sent + summary.partial} sent, ${summary.failed} failed`,
      );
      if (flags.json) printJson(io, summary);
      else {
        io.stdout.write(
          `Sent ${summary.sent} of ${summary.total} messages via ${connection.describe} in ${seconds} s${summary.partial > 0 ? `; ${summary.partial} reached only some recipients` : ""}; ${summary.failed} failed${summary.failedCsv ? ` (see ${summary.failedCsv})` : ""}\n`,
        );
        if (stoppedBy !== undefined) {
          io.stderr.write(`stopped: ${describeError(stoppedBy)}\n`);
        } else if (firstError !== undefined) {
          io.stderr.write(`first failure: ${describeError(firstError)}\n`);
        }
      }
      const delivered = summary.sent + summary.partial;
      if (summary.failed === 0 && summary.partial === 0) context.exit(EXIT_CODES.ok);
      else if (delivered === 0 && (stoppedBy ?? firstError) !== undefined) {
        context.exit(exitCodeFor(stoppedBy ?? firstError));
      } else context.exit(EXIT_CODES.partial);
    });
}
