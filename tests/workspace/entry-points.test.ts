import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain ESM script without types
import { entryPointsOf, exportsFor } from "../../scripts/sync-exports.mjs";

// Each package's entry points are one list (its `exports` subpaths); the three manifests
// that name them must agree with it (`node scripts/sync-exports.mjs` writes them).

const root = fileURLToPath(new URL("../..", import.meta.url));
const packages = readdirSync(join(root, "packages")).filter((dir) =>
  existsSync(join(root, "packages", dir, "package.json")),
);
const json = (path: string) => JSON.parse(readFileSync(join(root, path), "utf8"));

describe("entry points: one list, three manifests", () => {
  it.each(packages)("packages/%s", (dir) => {
    const pkg = json(`packages/${dir}/package.json`);
    const wanted = exportsFor(entryPointsOf(pkg));
    expect(pkg.exports).toEqual(wanted.exports);
    expect(pkg.publishConfig.exports).toEqual(wanted.published);
    if (existsSync(join(root, "packages", dir, "deno.json")))
      expect(json(`packages/${dir}/deno.json`).exports).toEqual(wanted.deno);
    for (const subpath of entryPointsOf(pkg)) {
      expect(existsSync(join(root, "packages", dir, wanted.exports[subpath].source))).toBe(true);
    }
  });

  it("a new subpath needs only the list: the generator derives everything else", () => {
    const out = exportsFor([".", "./extra"]);
    expect(out.exports["./extra"]).toEqual({
      source: "./src/extra/index.ts",
      types: "./dist/extra/index.d.ts",
      default: "./dist/extra/index.js",
    });
    expect(out.published["./extra"]).toEqual({
      types: "./dist/extra/index.d.ts",
      default: "./dist/extra/index.js",
    });
    expect(out.deno).toEqual({ ".": "./src/index.ts", "./extra": "./src/extra/index.ts" });
    expect(exportsFor(["."]).deno).toBe("./src/index.ts");
  });
});
