/**
 * `pnpm bench:check`'s logic, pure: the ratios a run's JSON holds (@smtp beside nodemailer,
 * the engine beside a copy, TLS set-up with resumption beside without), and their comparison
 * with the committed reference ratios (bench/baseline.json), direction-aware. The command
 * itself (running the quick bench, files, exit code) is check-run.ts.
 */
import type { ClientName } from "./config.ts";
import type { EngineResult } from "./engine.ts";
import { clientLabel } from "./report.ts";
import { fmt, spread } from "./stats.ts";

/** Which way a ratio is better. @since 0.2.0 */
export type Better = "higher" | "lower";

/** One named ratio of a run. @since 0.2.0 */
export interface Ratio {
  key: string;
  value: number;
  better: Better;
}

/** The committed reference ratios (bench/baseline.json). @since 0.2.0 */
export interface Baseline {
  /** What the file is, for a reader who opens it. */
  about: string;
  /** When the run it comes from started, its preset, machine and Node. */
  date: string;
  preset: string;
  machine: string;
  ratios: Record<string, { value: number; better: Better }>;
}

type Median = { median: number | null } | undefined;

/**
 * The part of a run's JSON (bench/run.ts `BenchResult`, NaN written as null) this reads;
 * every part may be absent (an older run, a skipped section, `--servers` mode).
 *
 * @since 0.2.0
 */
export interface RunJson {
  date?: string;
  machine?: { cpus: number; cpuModel: string; node: string };
  config?: { preset?: string; custom?: boolean };
  throughput?: {
    summary?: {
      delayMs: number;
      recipients: number;
      client: ClientName;
      speedRatio?: Median;
      cpuRatio?: Median;
    }[];
  };
  attachments?: { summary?: { case: string; client: ClientName; wallRatio?: Median }[] };
  tls?: {
    summary?: {
      delayMs: number;
      tls: string;
      client: string;
      vsNodemailer?: Median;
      vsFull?: Median;
    }[];
  };
  engine?: Pick<EngineResult, "dotStuffing"> | null | undefined;
  coldStart?:
    | {
        rows?: { library: string; firstImportMs?: Median }[];
      }
    | null
    | undefined;
}

const value = (s: Median): number => s?.median ?? Number.NaN;

/**
 * Every ratio of a run that bench:check follows, keyed by a readable name; ratios that were
 * not measured (NaN, null, a missing section) are left out.
 *
 * @since 0.2.0
 */
export function extractRatios(run: RunJson): Ratio[] {
  const out: Ratio[] = [];
  const add = (key: string, v: number, better: Better) => {
    if (Number.isFinite(v) && v > 0) out.push({ key, value: v, better });
  };
  const ours = (client: ClientName) => client.startsWith("smtp-");
  for (const row of run.throughput?.summary ?? []) {
    if (!ours(row.client)) continue;
    const cell = `throughput D=${row.delayMs} R=${row.recipients} ${clientLabel(row.client)}`;
    add(`${cell}: × nm msgs/s`, value(row.speedRatio), "higher");
    add(`${cell}: × nm CPU`, value(row.cpuRatio), "lower");
  }
  for (const row of run.attachments?.summary ?? []) {
    if (!ours(row.client)) continue;
    add(
      `attachment ${row.case} ${clientLabel(row.client)}: × nm wall`,
      value(row.wallRatio),
      "lower",
    );
  }
  for (const row of run.engine?.dotStuffing ?? []) {
    const name = `engine DATA encoder, ${row.workload}, ${row.chunkSize / 1024} KiB chunks`;
    add(`${name}: encoder time ÷ copy time`, value(row.timeVsCopy), "lower");
  }
  const cold = run.coldStart?.rows ?? [];
  const smtp = cold.find((r) => r.library === "@smtp/client");
  const nm = cold.find((r) => r.library === "nodemailer");
  // The in-process first import only: "over bare node" is a difference of two noisy wall
  // times, near zero at times, and its ratio swings wildly.
  if (smtp && nm) {
    const first = value(smtp.firstImportMs) / value(nm.firstImportMs);
    add("cold start @smtp/client: first import in-process × nodemailer's", first, "lower");
  }
  for (const row of run.tls?.summary ?? []) {
    if (row.client !== "smtp-resume") continue;
    const cell = `TLS ${row.tls} RTT ${2 * row.delayMs} ms, @smtp set-up with resumption`;
    add(`${cell}: × without resumption`, value(row.vsFull), "lower");
    add(`${cell}: × nodemailer`, value(row.vsNodemailer), "lower");
  }
  return out;
}

/**
 * Several runs' ratios as one: each ratio's median over the runs that have it (a reference
 * from a few quick runs is steadier than from one). Keys in order of first appearance.
 *
 * @since 0.2.0
 */
export function medianRatios(runs: readonly (readonly Ratio[])[]): Ratio[] {
  const byKey = new Map<string, Ratio[]>();
  for (const run of runs) {
    for (const r of run) {
      const list = byKey.get(r.key);
      if (list) list.push(r);
      else byKey.set(r.key, [r]);
    }
  }
  return [...byKey.values()].map((list) => ({
    key: list[0]!.key,
    better: list[0]!.better,
    value: spread(list.map((r) => r.value)).median,
  }));
}

/** What became of one ratio. @since 0.2.0 */
export type CheckStatus = "ok" | "regressed" | "improved" | "missing" | "new";

/** One ratio, the reference beside the run. @since 0.2.0 */
export interface CheckedRatio {
  key: string;
  better: Better;
  baseline: number | undefined;
  current: number | undefined;
  /** current ÷ baseline, when both exist. */
  change: number | undefined;
  status: CheckStatus;
}

/** Float slack, so that a change of exactly the threshold is not taken as beyond it. */
const SLACK = 1e-9;

/**
 * Whether going from `baseline` to `current` is worse by more than `threshold` (0.2 = 20 %
 * of the baseline): below `baseline × (1 − threshold)` when higher is better, above
 * `baseline × (1 + threshold)` when lower is better.
 *
 * @since 0.2.0
 */
export function regressed(
  baseline: number,
  current: number,
  better: Better,
  threshold: number,
): boolean {
  const change = current / baseline;
  return better === "higher" ? change < 1 - threshold - SLACK : change > 1 + threshold + SLACK;
}

/**
 * Compares a run's ratios with the reference ones: `regressed` (worse by more than
 * `threshold`), `improved` (better by more), `ok`, `missing` (in the reference, not in the
 * run), or `new` (in the run only). The direction is the run's when it has the ratio, else
 * the reference's. Reference order first, then new ratios.
 *
 * @since 0.2.0
 */
export function compareRatios(
  baseline: Baseline["ratios"],
  current: readonly Ratio[],
  threshold = 0.2,
): CheckedRatio[] {
  const now = new Map(current.map((r) => [r.key, r]));
  const rows: CheckedRatio[] = [];
  for (const [key, ref] of Object.entries(baseline)) {
    const run = now.get(key);
    const better = run?.better ?? ref.better;
    const usable = Number.isFinite(ref.value) && ref.value > 0;
    if (run === undefined || !usable) {
      rows.push({
        key,
        better,
        baseline: ref.value,
        current: run?.value,
        change: undefined,
        status: "missing",
      });
      continue;
    }
    const change = run.value / ref.value;
    // Improved: better by more than the threshold, the mirror image of regressed.
    const improved =
      better === "higher" ? change > 1 + threshold + SLACK : change < 1 - threshold - SLACK;
    const status = regressed(ref.value, run.value, better, threshold)
      ? "regressed"
      : improved
        ? "improved"
        : "ok";
    rows.push({ key, better, baseline: ref.value, current: run.value, change, status });
  }
  for (const run of current) {
    if (!(run.key in baseline)) {
      rows.push({
        key: run.key,
        better: run.better,
        baseline: undefined,
        current: run.value,
        change: undefined,
        status: "new",
      });
    }
  }
  return rows;
}

const percent = (change: number) => {
  const p = Math.round((change - 1) * 100);
  return `${p > 0 ? "+" : p < 0 ? "−" : "±"}${Math.abs(p)} %`;
};

/**
 * The report: one line per ratio (`ok`, `improved`, `new`, `missing`), then one `warning:`
 * line per regression, then a summary line.
 *
 * @since 0.2.0
 */
export function formatCheck(rows: readonly CheckedRatio[], threshold: number): string[] {
  const lines: string[] = [];
  const num = (v: number | undefined) => (v === undefined ? "–" : fmt(v, 2));
  for (const r of rows) {
    if (r.status === "regressed") continue;
    const change = r.change === undefined ? "" : ` (${percent(r.change)})`;
    lines.push(`${r.status.padEnd(8)} ${r.key}: ${num(r.baseline)} → ${num(r.current)}${change}`);
  }
  const bad = rows.filter((r) => r.status === "regressed");
  for (const r of bad) {
    lines.push(
      `warning: ${r.key} regressed: ${num(r.baseline)} → ${num(r.current)} (${percent(r.change!)}; ${r.better} is better)`,
    );
  }
  const count = (s: CheckStatus) => rows.filter((r) => r.status === s).length;
  lines.push(
    `${rows.length - count("new") - count("missing")} ratios compared with the reference: ` +
      `${bad.length} regressed by more than ${Math.round(threshold * 100)} %, ${count("improved")} improved by more; ` +
      `${count("missing")} missing from this run, ${count("new")} new.`,
  );
  return lines;
}
