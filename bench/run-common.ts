/**
 * What the usual run (run.ts) and the real-server mode (real-servers-run.ts) share: the
 * client order per repetition, the machine and versions they report, and the JSON file.
 */
import { readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import type { BenchConfig } from "./config.ts";
import { ROOT } from "./processes.ts";

/** The version of an installed package (`node_modules/<pkg>`). @since 0.1.0 */
export function versionOf(pkg: string): string {
  const path = join(ROOT, "node_modules", pkg, "package.json");
  return (JSON.parse(readFileSync(path, "utf8")) as { version: string }).version;
}

/** The client order of repetition `rep`: the list rotated by `rep`. @since 0.1.0 */
export function rotated<T>(clients: readonly T[], rep: number): T[] {
  const k = rep % clients.length;
  return [...clients.slice(k), ...clients.slice(0, k)];
}

/** The machine a run measured on. @since 0.1.0 */
export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  node: string;
  platform: string;
}

/** @since 0.1.0 */
export function machineInfo(): MachineInfo {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

/** What every run records, whatever it measured. @since 0.1.0 */
export interface RunRecord {
  date: string;
  machine: MachineInfo;
  versions: Record<string, string>;
  config: BenchConfig;
  /** Every problem found (empty when all is well); any makes the exit code 1. */
  problems: string[];
  markdown: string;
  jsonPath: string | undefined;
}

/**
 * Writes `result` as JSON (NaN as null) to `path`, or to
 * `bench/results/<start time>-<name>.json` (git-ignored), and returns the path.
 *
 * @since 0.1.0
 */
export async function writeResultJson(
  result: unknown,
  path: string | undefined,
  started: Date,
  name: string,
): Promise<string> {
  const stamp = started.toISOString().replace(/[:.]/g, "-");
  const file = path ?? join(ROOT, "bench", "results", `${stamp}-${name}.json`);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(result, (_k, v) => (Number.isNaN(v) ? null : v), 2)}\n`);
  return file;
}
