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
    // runtime-workerd.ts is "#platform" inside Cloudflare Workers only (the `workerd`
    // condition): it may import the Cloudflare transport, and still nothing of node:*.
    const forbidden =
      file === "runtime-workerd.ts"
        ? /^node:|^@smtp\/transport-(node|deno)/
        : /^node:|^@smtp\/transport-/;
    for (const specifier of statics) {
      expect(specifier).not.toMatch(forbidden);
    }
  });

  it("#platform is runtime.ts, and runtime-workerd.ts under the workerd condition", () => {
    const pkg = JSON.parse(readFileSync(join(src, "../package.json"), "utf8"));
    const platform = pkg.imports["#platform"];
    expect(Object.keys(platform)[0]).toBe("workerd");
    expect(platform.workerd.default).toBe("./dist/runtime-workerd.js");
    expect(platform.default).toBe("./dist/runtime.js");
    const deno = JSON.parse(readFileSync(join(src, "../deno.json"), "utf8"));
    expect(deno.imports["#platform"]).toBe("./src/runtime.ts");
  });

  it("loads the runtime-specific pieces with dynamic import()", () => {
    const runtime = readFileSync(join(src, "runtime.ts"), "utf8");
    expect(runtime).toContain('import("@smtp/transport-deno")');
    expect(runtime).toContain('import("@smtp/transport-node")');
    expect(runtime).toContain('import("node:os")');
  });
});
