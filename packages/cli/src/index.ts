/**
 * `@smtp/cli`: the `smtp` command (send, probe, record, replay, bulk) and, for programs
 * that embed it, {@link runCli}, the exit codes and the JSON Schemas of its `--json`
 * documents.
 *
 * ```ts
 * import { runCli } from "@smtp/cli";
 *
 * const status = await runCli(["probe", "mail.example.com", "--json"]);
 * ```
 *
 * @module
 */
export { EXIT_CODES, exitCodeFor } from "./exit-codes.ts";
export type { CliIo, Terminal } from "./io.ts";
export type { JsonSchema } from "./json-schema.ts";
export type {
  ProbeCertificate,
  ProbeError,
  ProbeExtension,
  ProbeReport,
  ProbeTls,
} from "./probe/report.ts";
export { PROBE_REPORT_SCHEMA } from "./probe/schema.ts";
export { type RunCliOptions, runCli } from "./program.ts";
export type { BulkReport, ErrorReport, ReplayReport, SendReport } from "./reports.ts";
export { BULK_REPORT_SCHEMA, REPLAY_REPORT_SCHEMA, SEND_REPORT_SCHEMA } from "./schemas.ts";
