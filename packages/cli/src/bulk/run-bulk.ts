import type { ClientOptions, SmtpClient } from "@smtp/client";
import { createClient, SmtpError } from "@smtp/client";
import type { BulkReport } from "../reports.ts";
import { FailedCsv, type Failure, readRows } from "./csv.ts";
import { messageFor, type Row, type Template } from "./template.ts";

/** What a bulk run needs. */
export interface BulkRun {
  csv: string;
  columns: string[];
  total: number;
  template: Template;
  options: ClientOptions;
  failedCsv: string;
  signal: AbortSignal | undefined;
  /** Called after each row is done. */
  onProgress?: (done: number, counts: { sent: number; partial: number; failed: number }) => void;
}

/**
 * Errors that every further message would meet too (the connection's set-up): before the
 * first delivery, one of them stops the run instead of failing every row the same way.
 */
const FATAL = new Set(["auth", "auth-unavailable", "insecure-auth", "tls", "tls-required"]);

function failureOf(error: unknown): Failure {
  if (!(error instanceof SmtpError)) {
    return { kind: "unexpected", code: undefined, enhancedCode: undefined, message: String(error) };
  }
  // Refused recipients: the server's own words for each, rather than the summary.
  const refused = error.rejected ?? [];
  return {
    kind: error.kind,
    code: error.code ?? refused[0]?.code,
    enhancedCode: error.enhancedCode ?? refused[0]?.enhancedCode,
    message:
      refused.length > 0
        ? refused.map((r) => `${r.address}: ${r.code} ${r.message}`).join("; ")
        : error.message,
  };
}

/**
 * One message per row through the client's pool (its connections and rate limit),
 * with a bounded number in flight; each failure goes to `failed.csv` with its code and
 * text, as does each refused recipient of a message the others got.
 */
export async function runBulk(
  run: BulkRun,
): Promise<BulkReport & { firstError: unknown; stoppedBy: SmtpError | undefined }> {
  const started = Date.now();
  const client: SmtpClient = createClient(run.options);
  const failed = new FailedCsv(run.failedCsv, run.columns);
  const counts = { sent: 0, partial: 0, failed: 0 };
  let done = 0;
  let stop: SmtpError | undefined;
  let firstError: unknown;
  const window = 2 * Math.max(1, maxConnections(run.options));
  const inFlight = new Set<Promise<void>>();

  const finish = (): void => {
    done++;
    run.onProgress?.(done, counts);
  };
  const fail = (row: Row, error: unknown, failure = failureOf(error)): void => {
    firstError ??= error;
    counts.failed++;
    failed.add(row, failure);
  };

  const sendRow = async (row: Row, line: number): Promise<void> => {
    try {
      const message = messageFor(run.template, row);
      const info = await client.send(
        message,
        run.signal === undefined ? {} : { signal: run.signal },
      );
      if (info.rejected.length === 0) counts.sent++;
      else {
        counts.partial++;
        for (const r of info.rejected) {
          failed.add(row, {
            kind: "rejected",
            code: r.code,
            enhancedCode: r.enhancedCode,
            message: `${r.address}: ${r.message}`,
          });
        }
      }
    } catch (error) {
      if (error instanceof SmtpError && error.kind === "invalid-input") {
        fail(row, error, { ...failureOf(error), message: `CSV line ${line}: ${error.message}` });
      } else {
        fail(row, error);
        if (
          error instanceof SmtpError &&
          FATAL.has(error.kind) &&
          counts.sent + counts.partial === 0
        ) {
          stop ??= error;
        }
      }
    } finally {
      finish();
    }
  };

  try {
    for await (const { row, line } of readRows(run.csv)) {
      if (stop || run.signal?.aborted) {
        const reason =
          stop ?? new SmtpError({ kind: "aborted", message: "interrupted", retryable: true });
        fail(row, reason, { ...failureOf(reason), message: `not attempted: ${reason.message}` });
        finish();
        continue;
      }
      const sending = sendRow(row, line).finally(() => inFlight.delete(sending));
      inFlight.add(sending);
      if (inFlight.size >= window) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } finally {
    await Promise.all(inFlight);
    await client.close();
    await failed.close();
  }
  return {
    total: run.total,
    sent: counts.sent,
    partial: counts.partial,
    failed: counts.failed,
    elapsedMs: Date.now() - started,
    failedCsv: failed.count > 0 ? failed.path : null,
    firstError,
    stoppedBy: stop,
  };
}

function maxConnections(options: ClientOptions): number {
  return typeof options.pool === "object" ? (options.pool.maxConnections ?? 5) : 1;
}
