// One list of entry points per package: the subpaths of its package.json `exports`
// ("." is src/index.ts, "./replay" is src/replay/index.ts …). From it this writes the
// `exports` conditions, `publishConfig.exports` (the same without the `source` condition:
// src is not published to npm) and deno.json's `exports` (JSR publishes the sources).
// Run it after adding or removing an entry point; tests/workspace/entry-points.test.ts
// fails while any of the three disagrees with the list.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The three manifests' exports for `subpaths`. */
export function exportsFor(subpaths) {
  const stem = (subpath) => (subpath === "." ? "index" : `${subpath.slice(2)}/index`);
  const exports = {};
  const published = {};
  const deno = {};
  for (const subpath of subpaths) {
    const s = stem(subpath);
    exports[subpath] = {
      source: `./src/${s}.ts`,
      types: `./dist/${s}.d.ts`,
      default: `./dist/${s}.js`,
    };
    published[subpath] = { types: `./dist/${s}.d.ts`, default: `./dist/${s}.js` };
    deno[subpath] = `./src/${s}.ts`;
  }
  exports["./package.json"] = "./package.json";
  published["./package.json"] = "./package.json";
  return { exports, published, deno: subpaths.length === 1 ? deno["."] : deno };
}

/** The entry points a package declares: its `exports` subpaths but package.json. */
export function entryPointsOf(pkg) {
  return Object.keys(pkg.exports ?? {}).filter((key) => key !== "./package.json");
}

if (process.argv[1] === import.meta.filename) {
  const root = join(import.meta.dirname, "..");
  for (const dir of readdirSync(join(root, "packages"))) {
    const pkgPath = join(root, "packages", dir, "package.json");
    if (!existsSync(pkgPath)) continue;
    const pkg = JSON.parse(readFileSync(pkgPath, "utf8"));
    const wanted = exportsFor(entryPointsOf(pkg));
    pkg.exports = wanted.exports;
    pkg.publishConfig = { ...pkg.publishConfig, exports: wanted.published };
    writeFileSync(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`);
    const denoPath = join(root, "packages", dir, "deno.json");
    if (existsSync(denoPath)) {
      const deno = JSON.parse(readFileSync(denoPath, "utf8"));
      deno.exports = wanted.deno;
      writeFileSync(denoPath, `${JSON.stringify(deno, null, 2)}\n`);
    }
  }
}
