import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const src = join(import.meta.dirname, "../src");
const files = readdirSync(src).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));

/**
 * The specifiers of a module's static imports and re-exports: `import … from "x"`,
 * `export … from "x"` and side-effect imports (`import "x"`). Dynamic `import("x")` is not one.
 */
function staticSpecifiers(text: string): string[] {
  return [...text.matchAll(/^\s*(?:import|export)\s(?:[^;"'`]*?\sfrom\s*)?["']([^"']+)["']/gm)].map(
    (m) => m[1]!,
  );
}

describe("the client's static module graph", () => {
  it("the import scan sees every static form, and no dynamic import()", () => {
    const sample = [
      'import "node:side-effect";',
      "import './relative.ts';",
      'import { a, b } from "node:named";',
      'import {\n  c,\n  d,\n} from "node:multi-line";',
      'import * as ns from "@smtp/transport-node";',
      'import type { T } from "node:types";',
      'export { e } from "node:re-export";',
      'export * from "node:star";',
      'const lazy = await import("node:os");',
      "export const x = 1;",
    ].join("\n");
    expect(staticSpecifiers(sample)).toEqual([
      "node:side-effect",
      "./relative.ts",
      "node:named",
      "node:multi-line",
      "@smtp/transport-node",
      "node:types",
      "node:re-export",
      "node:star",
    ]);
  });

  it.each(files)("%s imports no node:* module and no runtime transport statically", (file) => {
    const text = readFileSync(join(src, file), "utf8");
    const specifiers = staticSpecifiers(text);
    if (/^import\s/m.test(text)) expect(specifiers.length).toBeGreaterThan(0);
    // The transports and node:os are loaded with import() only. runtime-workerd.ts is
    // "#platform" inside Cloudflare Workers only (the `workerd` condition): it may import
    // the Cloudflare transport, and still nothing of node:*.
    const forbidden =
      file === "runtime-workerd.ts"
        ? /^node:|^@smtp\/transport-(node|deno)/
        : /^node:|^@smtp\/transport-/;
    for (const specifier of specifiers) {
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
