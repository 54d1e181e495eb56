import type { SendInfo } from "@smtp/client";
import { SmtpError } from "@smtp/client";
import { describeError } from "./errors-output.ts";
import { EXIT_CODES, exitCodeFor } from "./exit-codes.ts";
import { type CliIo, printJson } from "./io.ts";
import type { ErrorReport, SendReport } from "./reports.ts";

/** A failure as the `--json` documents give it. */
export function errorReport(error: unknown): ErrorReport {
  if (!(error instanceof SmtpError)) {
    return {
      kind: "unexpected",
      message: String(error),
      code: null,
      enhancedCode: null,
      detail: null,
    };
  }
  return {
    kind: error.kind,
    message: error.message,
    code: error.code ?? null,
    enhancedCode: error.enhancedCode ?? null,
    detail: error.detail ?? null,
  };
}

/** The `--json` document of a send. */
export function sendReport(
  server: string,
  info: SendInfo | undefined,
  error: unknown,
  transcript: string | null = null,
): SendReport {
  const rejected =
    info?.rejected ??
    (error instanceof SmtpError ? (error.rejected ?? []) : []).map((r) => ({
      ...r,
      enhancedCode: r.enhancedCode,
    }));
  return {
    ok: info !== undefined,
    server,
    messageId: info?.messageId ?? null,
    envelope: info ? info.envelope : null,
    accepted: info?.accepted ?? [],
    rejected: rejected.map((r) => ({
      address: r.address,
      code: r.code,
      enhancedCode: r.enhancedCode ?? null,
      message: r.message,
    })),
    response: info?.response ?? null,
    transcript,
    error: error === undefined ? null : errorReport(error),
  };
}

/** Prints the outcome of a send (a sentence, or JSON) and returns the exit status. */
export function printSendOutcome(
  io: CliIo,
  json: boolean,
  report: SendReport,
  error: unknown,
): number {
  if (json) printJson(io, report);
  else if (report.ok) {
    io.stdout.write(
      `Sent ${report.messageId ?? ""} to ${report.accepted.length} recipient(s) via ${report.server}\n  ${report.response ?? ""}\n`,
    );
    for (const r of report.rejected) {
      io.stdout.write(
        `  refused ${r.address}: ${r.code}${r.enhancedCode ? ` ${r.enhancedCode}` : ""} ${r.message}\n`,
      );
    }
  } else {
    io.stderr.write(`smtp: not sent via ${report.server}: ${describeError(error)}\n`);
    for (const r of report.rejected) {
      io.stderr.write(
        `  refused ${r.address}: ${r.code}${r.enhancedCode ? ` ${r.enhancedCode}` : ""} ${r.message}\n`,
      );
    }
  }
  if (!report.ok) return exitCodeFor(error);
  return report.rejected.length > 0 ? EXIT_CODES.partial : EXIT_CODES.ok;
}
