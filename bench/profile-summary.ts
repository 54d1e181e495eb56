/**
 * `node --import tsx bench/profile-summary.ts FILE.cpuprofile [--top N]`: where a V8 CPU
 * profile (from `pnpm bench --cpu-prof DIR`) spent its time, as self time grouped by package
 * (`@smtp/core`, `@smtp/mime`, `@smtp/client`, the transport, nodemailer, Node.js internals,
 * GC, idle) and the top functions. What bench/RESULTS.md's "what limits it" sentences cite.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The bucket a function's self time goes to. @since 0.2.0 */
export function bucketOf(url: string, name: string): string {
  if (name === "(garbage collector)") return "GC";
  if (name === "(idle)") return "idle";
  if (name === "(program)" || name === "(root)") return "V8 (program)";
  const pkg = /\/packages\/([^/]+)\//.exec(url);
  if (pkg) return `@smtp/${pkg[1]}`;
  if (url.includes("/nodemailer/")) return "nodemailer";
  if (url.includes("/bench/")) return "bench harness";
  if (url.startsWith("node:")) return `node:${url.slice(5).split("/")[0]}`;
  if (url === "") return "native / builtins";
  return "other";
}

/** Self time (µs) per bucket and per function. @since 0.2.0 */
export function summarize(profile: CpuProfile): {
  totalUs: number;
  buckets: [string, number][];
  functions: [string, number][];
} {
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const buckets = new Map<string, number>();
  const functions = new Map<string, number>();
  let totalUs = 0;
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    if (us === 0) continue;
    totalUs += us;
    const { functionName, url, lineNumber } = node.callFrame;
    const bucket = bucketOf(url, functionName);
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + us);
    const file = url.split("/").slice(-1)[0] ?? "";
    const key = `${functionName || "(anonymous)"} ${file}:${lineNumber + 1}`;
    functions.set(key, (functions.get(key) ?? 0) + us);
  }
  const byTime = (a: [string, number], b: [string, number]) => b[1] - a[1];
  return { totalUs, buckets: [...buckets].sort(byTime), functions: [...functions].sort(byTime) };
}

if (process.argv[1] === import.meta.filename) {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { top: { type: "string", default: "25" } },
  });
  for (const file of positionals) {
    const { totalUs, buckets, functions } = summarize(JSON.parse(readFileSync(file, "utf8")));
    const pct = (us: number) => `${((100 * us) / totalUs).toFixed(1).padStart(5)} %`;
    console.log(`# ${file}: ${(totalUs / 1000).toFixed(0)} ms sampled`);
    for (const [bucket, us] of buckets) console.log(`${pct(us)}  ${bucket}`);
    console.log("");
    for (const [name, us] of functions.slice(0, Number(values.top))) {
      console.log(`${pct(us)}  ${name}`);
    }
    console.log("");
  }
}
