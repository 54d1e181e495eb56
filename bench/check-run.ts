/**
 * `pnpm bench:check`: runs the quick bench (or reads runs' JSON with `--json`) and compares
 * its ratios with the committed reference ones in bench/baseline.json, printing a warning per
 * ratio worse by more than 20 %. Exit code 0 unless `--strict` (1 on a regression), a
 * correctness problem in the run (1), or bad usage (2). `--update` writes the reference from
 * the run instead. The comparison itself is check.ts.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import {
  type Baseline,
  compareRatios,
  extractRatios,
  formatCheck,
  medianRatios,
  type Ratio,
  type RunJson,
} from "./check.ts";
import { quickConfig } from "./config.ts";
import { ROOT } from "./processes.ts";
import { runBench } from "./run.ts";

const USAGE = `usage: pnpm bench:check [--runs N | --json PATH...] [--update] [--strict] [--baseline PATH] [--threshold PCT]

  (no --json)       run the quick bench (pnpm bench --quick, ~1.5 min) and check its ratios
  --runs N          run it N times and check each ratio's median over the runs (steadier)
  --json PATH       check the run saved in PATH (pnpm bench --json PATH, or bench/results/);
                    repeated: the median of each ratio over the runs
  --update          write the reference ratios from the run instead of checking
  --strict          exit 1 when a ratio regressed (default: warn, exit 0)
  --baseline PATH   the reference (default bench/baseline.json)
  --threshold PCT   how much worse a ratio may get before a warning (default 20)`;

/** What the command line asked. @since 0.2.0 */
export interface CheckOptions {
  /** Saved runs to check (their median per ratio); empty: run the quick bench. */
  json: string[];
  /** Without `json`: quick runs to make (their median per ratio). */
  runs: number;
  update: boolean;
  strict: boolean;
  baseline: string;
  /** 0.2 = 20 %. */
  threshold: number;
}

/**
 * Parses `pnpm bench:check`'s flags; throws on an unknown flag or a bad value.
 *
 * @since 0.2.0
 */
export function parseCheckArgs(argv: readonly string[]): CheckOptions | "help" {
  const options: CheckOptions = {
    json: [],
    runs: 1,
    update: false,
    strict: false,
    baseline: join(ROOT, "bench", "baseline.json"),
    threshold: 0.2,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes("=") ? arg.split("=", 2) : [arg, undefined];
    const next = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === "--help") return "help";
    else if (flag === "--update") options.update = true;
    else if (flag === "--strict") options.strict = true;
    else if (flag === "--json") options.json.push(next());
    else if (flag === "--runs") {
      const runs = Number(next());
      if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs: an integer >= 1");
      options.runs = runs;
    } else if (flag === "--baseline") options.baseline = next();
    else if (flag === "--threshold") {
      const pct = Number(next());
      if (!Number.isFinite(pct) || pct <= 0) throw new Error("--threshold: a percentage > 0");
      options.threshold = pct / 100;
    } else if (arg !== "--") throw new Error(`unknown option ${arg}\n\n${USAGE}`);
  }
  if (options.json.length > 0 && options.runs !== 1) {
    throw new Error("--runs makes fresh runs, --json reads saved ones: one or the other");
  }
  return options;
}

/** One run to check, from its JSON or a fresh quick bench. */
interface LoadedRun {
  run: RunJson;
  problems: string[];
  from: string;
}

/** The runs to check: each `--json` file, or `--runs` fresh quick benches. */
async function loadRuns(options: CheckOptions): Promise<LoadedRun[]> {
  if (options.json.length > 0) {
    return Promise.all(
      options.json.map(async (path) => {
        const run = JSON.parse(await readFile(path, "utf8")) as RunJson & { problems?: string[] };
        return { run, problems: run.problems ?? [], from: relative(ROOT, path) };
      }),
    );
  }
  const runs: LoadedRun[] = [];
  for (let i = 0; i < options.runs; i++) {
    const result = await runBench(quickConfig());
    const from = result.jsonPath === undefined ? "(not written)" : relative(ROOT, result.jsonPath);
    runs.push({ run: result, problems: result.problems, from });
  }
  return runs;
}

const presetOf = (run: RunJson) =>
  `${run.config?.preset ?? "unknown"}${run.config?.custom ? " (with options)" : ""}`;

function baselineOf(runs: readonly LoadedRun[], ratios: readonly Ratio[]): Baseline {
  const first = runs[0]!.run;
  const m = first.machine;
  const values: Baseline["ratios"] = {};
  for (const r of ratios)
    values[r.key] = { value: Number(r.value.toPrecision(4)), better: r.better };
  return {
    about:
      "Reference ratios for pnpm bench:check (bench/check.ts), written by pnpm bench:check --update " +
      `from ${runs.map((r) => r.from).join(", ")}` +
      (runs.length > 1 ? " (the median of each ratio over the runs)" : "") +
      ". Only ratios within one run count.",
    date: runs.map((r) => r.run.date ?? "unknown").join(", "),
    preset: [...new Set(runs.map((r) => presetOf(r.run)))].join(", "),
    machine: m ? `${m.cpus} × ${m.cpuModel}, node ${m.node}` : "unknown",
    ratios: values,
  };
}

async function main(): Promise<void> {
  let options: ReturnType<typeof parseCheckArgs>;
  try {
    options = parseCheckArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
    return;
  }
  if (options === "help") {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const runs = await loadRuns(options);
  for (const { run, from } of runs) {
    process.stdout.write(`run: ${from} (${presetOf(run)} preset, ${run.date})\n`);
  }
  const problems = runs.flatMap((r) => r.problems);
  if (problems.length > 0) {
    process.stdout.write(
      `the run has correctness problems (${problems.length}):\n${problems.map((p) => `- ${p}`).join("\n")}\n`,
    );
    process.exitCode = 1;
    if (options.update) {
      process.stderr.write("not writing a reference from a run with problems\n");
      return;
    }
  }
  const ratios = medianRatios(runs.map((r) => extractRatios(r.run)));
  if (options.update) {
    const baseline = baselineOf(runs, ratios);
    await writeFile(options.baseline, `${JSON.stringify(baseline, null, 2)}\n`);
    process.stdout.write(
      `wrote ${Object.keys(baseline.ratios).length} reference ratios to ${options.baseline}\n`,
    );
    return;
  }
  let baseline: Baseline;
  try {
    baseline = JSON.parse(await readFile(options.baseline, "utf8")) as Baseline;
  } catch (error) {
    process.stderr.write(
      `no reference at ${options.baseline} (${String(error)}): write one with pnpm bench:check --update\n`,
    );
    process.exitCode = 2;
    return;
  }
  process.stdout.write(
    `reference: ${options.baseline} (${baseline.preset} preset, ${baseline.date}, ${baseline.machine})\n`,
  );
  const presets = [...new Set(runs.map((r) => presetOf(r.run)))].join(", ");
  if (baseline.preset !== presets) {
    process.stdout.write(
      `note: the reference is from a ${baseline.preset} run, this is ${presets}\n`,
    );
  }
  const rows = compareRatios(baseline.ratios, ratios, options.threshold);
  process.stdout.write(`${formatCheck(rows, options.threshold).join("\n")}\n`);
  if (options.strict && rows.some((r) => r.status === "regressed")) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
