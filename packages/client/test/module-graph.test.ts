import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const src = join(import.meta.dirname, "../src");
const files = readdirSync(src).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));

describe("the client's static module graph", () => {
  it.each(files)("%s imports no node:* module and no runtime transport statically", (file) => {
    const text = readFileSync(join(src, file), "utf8");
    // Static imports and re-exports only: the transports and node:os are loaded with import().
    const statics = [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+"([^"]+)"/gms)].map(
      (m) => m[1],
    );
    for (const specifier of statics) {
      expect(specifier).not.toMatch(/^node:|^@smtp\/transport-/);
    }
  });

  it("loads the runtime-specific pieces with dynamic import()", () => {
    const runtime = readFileSync(join(src, "runtime.ts"), "utf8");
    expect(runtime).toContain('import("@smtp/transport-deno")');
    expect(runtime).toContain('import("@smtp/transport-node")');
    expect(runtime).toContain('import("node:os")');
  });
});
