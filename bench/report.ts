/**
 * Summaries over repetitions and the Markdown tables. Ratios are @smtp ÷ nodemailer with
 * the same number of connections, taken within one repetition and cell, then the median.
 */
import type { ColdStartResult } from "./cold-start.ts";
import type { ClientName } from "./config.ts";
import type { AttachmentRun, ThroughputRun } from "./measure.ts";
import { fmt, fmtSpread, groupBy, type Spread, seconds, spread } from "./stats.ts";

/** The nodemailer variant an @smtp variant is compared with. @since 0.1.0 */
export function counterpart(client: ClientName): ClientName | undefined {
  if (client === "smtp-pool1" || client === "raw-pool1") return "nm-pool1";
  if (client === "smtp-pool5") return "nm-pool5";
  return undefined;
}

/** One row of the throughput summary. @since 0.1.0 */
export interface ThroughputRow {
  delayMs: number;
  recipients: number;
  client: ClientName;
  msgsPerSec: Spread;
  cpuUsPerMsg: Spread;
  rttPerMsg: Spread;
  measuredRttPerMsg: Spread;
  writesPerMsg: Spread;
  waitsPerMsg: Spread;
  commandsPerMsg: Spread;
  serverCpuUsPerMsg: Spread;
  /** msgs/s ÷ the nodemailer counterpart's, per repetition (only on @smtp rows). */
  speedRatio: Spread;
  /** CPU/msg ÷ the counterpart's, per repetition (only on @smtp rows). */
  cpuRatio: Spread;
  delivered: number;
  problems: number;
}

function pairRatios(
  runs: readonly ThroughputRun[],
  row: ThroughputRun[],
  pick: (r: ThroughputRun) => number,
): number[] {
  const out: number[] = [];
  for (const run of row) {
    const other = counterpart(run.client);
    const peer = runs.find(
      (r) =>
        r.client === other &&
        r.rep === run.rep &&
        r.delayMs === run.delayMs &&
        r.recipients === run.recipients,
    );
    if (peer) out.push(pick(run) / pick(peer));
  }
  return out;
}

/** Groups throughput runs by cell and client. @since 0.1.0 */
export function summarizeThroughput(runs: readonly ThroughputRun[]): ThroughputRow[] {
  const rows: ThroughputRow[] = [];
  for (const group of groupBy(runs, (r) => `${r.delayMs}|${r.recipients}|${r.client}`)) {
    const first = group[0]!;
    rows.push({
      delayMs: first.delayMs,
      recipients: first.recipients,
      client: first.client,
      msgsPerSec: spread(group.map((r) => r.msgsPerSec)),
      cpuUsPerMsg: spread(group.map((r) => r.cpuUsPerMsg)),
      rttPerMsg: spread(group.map((r) => r.rttPerMsg)),
      measuredRttPerMsg: spread(group.map((r) => r.measuredRttPerMsg)),
      writesPerMsg: spread(group.map((r) => r.writesPerMsg)),
      waitsPerMsg: spread(group.map((r) => r.waitsPerMsg)),
      commandsPerMsg: spread(group.map((r) => r.commandsPerMsg)),
      serverCpuUsPerMsg: spread(group.map((r) => r.serverCpuUsPerMsg)),
      speedRatio: spread(pairRatios(runs, group, (r) => r.msgsPerSec)),
      cpuRatio: spread(pairRatios(runs, group, (r) => r.cpuUsPerMsg)),
      delivered: group.reduce((a, r) => a + r.sinkMessages, 0),
      problems: group.reduce((a, r) => a + r.problems.length, 0),
    });
  }
  const order = ["smtp-pool1", "nm-pool1", "raw-pool1", "smtp-pool5", "nm-pool5"];
  return rows.sort(
    (a, b) =>
      a.delayMs - b.delayMs ||
      a.recipients - b.recipients ||
      order.indexOf(a.client) - order.indexOf(b.client),
  );
}

/** One row of the attachment summary. @since 0.1.0 */
export interface AttachmentRow {
  case: string;
  client: ClientName;
  wallMs: Spread;
  extraRssMB: Spread;
  mibPerSec: Spread;
  cpuMs: Spread;
  /** wall ÷ nodemailer's wall, per repetition (only on @smtp rows). */
  wallRatio: Spread;
  ok: boolean;
  checked: number;
  /** Messages whose DKIM signature verified. */
  dkimChecked: number;
  problems: number;
}

/** Groups attachment runs by case and client. @since 0.1.0 */
export function summarizeAttachments(runs: readonly AttachmentRun[]): AttachmentRow[] {
  const rows: AttachmentRow[] = [];
  for (const group of groupBy(runs, (r) => `${r.case}|${r.client}`)) {
    const first = group[0]!;
    const ratios: number[] = [];
    for (const run of group) {
      const other = counterpart(run.client);
      const peer = runs.find((r) => r.client === other && r.rep === run.rep && r.case === run.case);
      if (peer) ratios.push(run.wallMs / peer.wallMs);
    }
    rows.push({
      case: first.case,
      client: first.client,
      wallMs: spread(group.map((r) => r.wallMs)),
      extraRssMB: spread(group.map((r) => r.extraRssMB)),
      mibPerSec: spread(group.map((r) => r.mibPerSec)),
      cpuMs: spread(group.map((r) => r.cpuMs)),
      wallRatio: spread(ratios),
      ok: group.every((r) => r.ok),
      checked: group.reduce((a, r) => a + r.checked, 0),
      dkimChecked: group.reduce((a, r) => a + r.dkimChecked, 0),
      problems: group.reduce((a, r) => a + r.problems.length, 0),
    });
  }
  return rows;
}

const NAMES: Record<ClientName, string> = {
  "smtp-pool1": "@smtp pool 1",
  "smtp-pool5": "@smtp pool 5",
  "nm-pool1": "nodemailer pool 1",
  "nm-pool5": "nodemailer pool 5",
  "raw-pool1": "raw pipelined client",
};

/** Human name of a client variant. @since 0.1.0 */
export function clientLabel(client: ClientName): string {
  return NAMES[client];
}

/** A Markdown table. @since 0.1.0 */
export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** The throughput table in Markdown. @since 0.1.0 */
export function throughputTable(rows: readonly ThroughputRow[]): string {
  return table(
    [
      "D ms",
      "R",
      "client",
      "msgs/s",
      "× nm msgs/s",
      "CPU µs/msg",
      "× nm CPU",
      "RTT/msg",
      "RTT/msg (measured RTT)",
      "c→s writes/msg",
      "waits/msg",
      "cmds/msg",
      "sink µs/msg",
      "delivered",
    ],
    rows.map((r) => [
      String(r.delayMs),
      String(r.recipients),
      clientLabel(r.client),
      fmtSpread(r.msgsPerSec),
      fmtSpread(r.speedRatio, 2),
      fmtSpread(r.cpuUsPerMsg, 0),
      fmtSpread(r.cpuRatio, 2),
      fmtSpread(r.rttPerMsg, 2),
      fmtSpread(r.measuredRttPerMsg, 2),
      fmt(r.writesPerMsg.median, 2),
      fmt(r.waitsPerMsg.median, 2),
      fmt(r.commandsPerMsg.median, 2),
      fmt(r.serverCpuUsPerMsg.median, 0),
      r.problems === 0 ? `${r.delivered} ✓` : `${r.delivered} ✗ (${r.problems} problems)`,
    ]),
  );
}

/** The attachment table in Markdown. @since 0.1.0 */
export function attachmentTable(rows: readonly AttachmentRow[]): string {
  return table(
    ["case", "client", "wall s", "× nm wall", "MiB/s", "extra RSS MB", "CPU s", "SHA-256"],
    rows.map((r) => [
      r.case,
      clientLabel(r.client),
      fmtSpread(seconds(r.wallMs), 2),
      fmtSpread(r.wallRatio, 2),
      fmtSpread(r.mibPerSec, 0),
      fmtSpread(r.extraRssMB, 0),
      fmt(r.cpuMs.median / 1000, 2),
      (r.problems > 0 ? `✗ (${r.problems} problems)` : r.checked > 0 ? `✓ (${r.checked})` : "n/a") +
        (r.dkimChecked > 0 ? `, DKIM ✓ (${r.dkimChecked})` : ""),
    ]),
  );
}

/** The cold-start table in Markdown. @since 0.1.0 */
export function coldStartTable(cold: ColdStartResult): string {
  return table(
    ["library", "import over bare node, ms", "first import in-process, ms", "install"],
    cold.rows.map((r) => [
      r.library + (r.builtAt ? ` (dist built ${r.builtAt.slice(0, 16)}Z)` : ""),
      fmtSpread(r.overBareMs, 0),
      fmtSpread(r.firstImportMs, 0),
      `${fmt(r.installBytes / 1e6, 2)} MB, ${r.installFiles} files`,
    ]),
  );
}
