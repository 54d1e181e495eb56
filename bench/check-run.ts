/**
 * `pnpm bench:check`: runs the quick bench (or reads a run's JSON with `--json`) and compares
 * its ratios with the committed reference ones in bench/baseline.json, printing a warning per
 * ratio worse by more than 20 %. Exit code 0 unless `--strict` (1 on a regression), a
 * correctness problem in the run (1), or bad usage (2). `--update` writes the reference from
 * the run instead. The comparison itself is check.ts.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Baseline, compareRatios, extractRatios, formatCheck, type RunJson } from "./check.ts";
import { quickConfig } from "./config.ts";
import { ROOT } from "./processes.ts";
import { runBench } from "./run.ts";

const USAGE = `usage: pnpm bench:check [--json PATH] [--update] [--strict] [--baseline PATH] [--threshold PCT]

  (no --json)       run the quick bench (pnpm bench --quick, ~1.5 min) and check its ratios
  --json PATH       check the run saved in PATH (pnpm bench --json PATH, or bench/results/)
  --update          write the reference ratios from the run instead of checking
  --strict          exit 1 when a ratio regressed (default: warn, exit 0)
  --baseline PATH   the reference (default bench/baseline.json)
  --threshold PCT   how much worse a ratio may get before a warning (default 20)`;

/** What the command line asked. @since 0.2.0 */
export interface CheckOptions {
  json: string | undefined;
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
    json: undefined,
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
    else if (flag === "--json") options.json = next();
    else if (flag === "--baseline") options.baseline = next();
    else if (flag === "--threshold") {
      const pct = Number(next());
      if (!Number.isFinite(pct) || pct <= 0) throw new Error("--threshold: a percentage > 0");
      options.threshold = pct / 100;
    } else if (arg !== "--") throw new Error(`unknown option ${arg}\n\n${USAGE}`);
  }
  return options;
}

/** The run to check, from its JSON or from a fresh quick bench. */
async function loadRun(
  options: CheckOptions,
): Promise<{ run: RunJson; problems: string[]; from: string }> {
  if (options.json !== undefined) {
    const run = JSON.parse(await readFile(options.json, "utf8")) as RunJson & {
      problems?: string[];
    };
    return { run, problems: run.problems ?? [], from: options.json };
  }
  const result = await runBench(quickConfig());
  return { run: result, problems: result.problems, from: result.jsonPath ?? "(not written)" };
}

function baselineOf(run: RunJson, from: string): Baseline {
  const m = run.machine;
  const ratios: Baseline["ratios"] = {};
  for (const r of extractRatios(run)) ratios[r.key] = { value: r.value, better: r.better };
  return {
    about:
      "Reference ratios for pnpm bench:check (bench/check.ts), written by pnpm bench:check --update " +
      `from ${from.startsWith(ROOT) ? from.slice(ROOT.length + 1) : from}. Only ratios within one run count.`,
    date: run.date ?? "unknown",
    preset: `${run.config?.preset ?? "unknown"}${run.config?.custom ? " (with options)" : ""}`,
    machine: m ? `${m.cpus} × ${m.cpuModel}, node ${m.node}` : "unknown",
    ratios,
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
  const { run, problems, from } = await loadRun(options);
  process.stdout.write(`run: ${from} (${run.config?.preset ?? "unknown"} preset, ${run.date})\n`);
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
  if (options.update) {
    const baseline = baselineOf(run, from);
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
  const preset = run.config?.preset ?? "unknown";
  if (!baseline.preset.startsWith(preset)) {
    process.stdout.write(
      `note: the reference is from a ${baseline.preset} run, this is ${preset}\n`,
    );
  }
  const rows = compareRatios(baseline.ratios, extractRatios(run), options.threshold);
  process.stdout.write(`${formatCheck(rows, options.threshold).join("\n")}\n`);
  if (options.strict && rows.some((r) => r.status === "regressed")) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
