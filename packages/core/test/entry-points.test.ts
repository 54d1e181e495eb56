import { readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import * as core from "../src/index.ts";
import * as replay from "../src/replay/index.ts";

// The replay tooling is public API under "@smtp/core/replay" and must stay out of
// "@smtp/core": importing the main entry (as @smtp/client does) must not evaluate it.
const src = fileURLToPath(new URL("../src/", import.meta.url));

/** Relative modules a file imports at run time (`import type` / `export type` erase). */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const found: string[] = [];
  for (const match of text.matchAll(
    /^(?:import|export)\s+(type\s+)?(?:[^;"]*?\s+from\s+)?"(\.{1,2}\/[^"]+)"/gm,
  )) {
    if (match[1] === undefined && match[2] !== undefined) {
      found.push(join(dirname(file), match[2]));
    }
  }
  return found;
}

/** Every module evaluated when `entry` is imported, relative to src. */
function moduleGraph(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const next of runtimeImports(file)) visit(next);
  };
  visit(join(src, entry));
  return [...seen].map((file) => relative(src, file).replaceAll("\\", "/")).sort();
}

const REPLAY_VALUES = [
  "ReplayAssertionError",
  "assertReplay",
  "assertReplayEveryChunking",
  "everyChunking",
  "findFaultToleranceViolations",
  "formatReplayFailure",
  "formatTranscript",
  "parseTranscript",
  "replayTranscript",
];

describe("entry points", () => {
  it("the import scan sees the replay modules from the replay entry", () => {
    const graph = moduleGraph("replay/index.ts");
    expect(graph).toContain("replay/replay-transcript.ts");
    expect(graph).toContain("replay/chunking.ts");
    expect(graph).toContain("session.ts");
  });

  it("@smtp/core loads no replay module", () => {
    const graph = moduleGraph("index.ts");
    expect(graph).toContain("session.ts");
    expect(graph.filter((path) => path.startsWith("replay/"))).toEqual([]);
  });

  it("@smtp/core/replay exports the replay API, and @smtp/core does not", () => {
    expect(Object.keys(replay).sort()).toEqual(REPLAY_VALUES);
    for (const name of REPLAY_VALUES) expect(core).not.toHaveProperty(name);
    expect(core).toHaveProperty("Session");
  });
});

describe("the main entry stays small", () => {
  it("exports at most 25 names (values and types): the engine, its errors and their types", async () => {
    const { readFileSync } = await import("node:fs");
    const source = readFileSync(new URL("../src/index.ts", import.meta.url), "utf8").replace(
      /\/\*\*[\s\S]*?\*\//g,
      "",
    );
    const names = new Set<string>();
    for (const match of source.matchAll(/export (?:type )?\{([^}]*)\}/g)) {
      for (const name of match[1]!.split(",")) {
        if (name.trim()) names.add(name.trim().replace(/^type /, ""));
      }
    }
    expect(names.size).toBeGreaterThan(0);
    expect(names.size).toBeLessThanOrEqual(25);
    expect(source).not.toMatch(/export \*/);
  });
});
