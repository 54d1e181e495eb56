// `node scripts/bundle-dist.mjs [package-dir…]`: the second half of `pnpm build`.
//
// `tsc -b` writes one JavaScript file per source file (and the .d.ts the types point at).
// Loading 140 small modules costs Node.js far more than their code: importing
// `@smtp/client` took ~70 ms this way, nodemailer ~45 ms. So each package's runtime entry
// points (its `exports`, its `imports` such as `#platform`, its `bin`) are rebuilt here from
// the sources into one file each, with the code they share in `dist/chunk-*.js` (esbuild's
// code splitting), over tsc's per-file output of the same name. Splitting keeps one copy of
// every module per package, so a class exported by two entry points (`@smtp/core` and
// `@smtp/core/internal`) is still one class and `instanceof` holds. A platform entry (an
// `imports` target such as `#platform`, one per runtime) is bundled alone into one file.
// Other packages (`@smtp/*` included), `node:*`, `cloudflare:*` and `#platform` stay
// imports, resolved at run time as before. The .d.ts files are tsc's, untouched. Without
// arguments: every package.
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { build } from "esbuild";

const root = join(import.meta.dirname, "..");

/** `./dist/x.js` → `./src/x.ts`: where tsc took the entry point from (rootDir src, outDir dist). */
function sourceOf(distPath) {
  return distPath.replace(/^\.\/dist\//, "./src/").replace(/\.js$/, ".ts");
}

/** The `default` targets of an exports/imports map, however deep the conditions nest. */
function defaults(map) {
  if (typeof map === "string") return map.endsWith(".js") ? [map] : [];
  if (map === null || typeof map !== "object") return [];
  return Object.entries(map).flatMap(([key, value]) =>
    key === "source" || key === "types" ? [] : defaults(value),
  );
}

/** The dist files a package's users (or its bin) load first. */
export function runtimeEntries(pkg) {
  const bins = typeof pkg.bin === "string" ? [pkg.bin] : Object.values(pkg.bin ?? {});
  const all = [...defaults(pkg.exports ?? {}), ...defaults(pkg.imports ?? {}), ...bins];
  return [...new Set(all.map((p) => (p.startsWith("./") ? p : `./${p}`)))].filter((p) =>
    p.startsWith("./dist/"),
  );
}

/** The `imports` targets (such as `#platform`): one per runtime, never two in one process. */
export function platformEntries(pkg) {
  return runtimeEntries({ imports: pkg.imports });
}

/**
 * Classes and exported bindings that esbuild renamed in a bundle (`Foo2` beside a `Foo`) to
 * avoid a clash between two of its modules: without keepNames their `name` would be the new
 * one (a class's `constructor.name`, which loggers print). Other functions may be renamed:
 * only stack traces show it.
 */
export function renamedBindings(code) {
  const declared = new Set(
    [...code.matchAll(/\b(?:function\*?|class|var|let|const)\s+([A-Za-z_$][\w$]*)/g)].map(
      (m) => m[1],
    ),
  );
  const imported = new Set(
    [...code.matchAll(/\bimport\s*\{([^}]*)\}/g)].flatMap((m) =>
      m[1].split(",").map((part) =>
        part
          .trim()
          .split(/\s+as\s+/)
          .pop(),
      ),
    ),
  );
  const renamed = (name) => {
    const base = /^(.*[^\d])\d+$/.exec(name)?.[1];
    return base !== undefined && declared.has(base) && !imported.has(name);
  };
  const classes = [
    ...code.matchAll(/\bclass\s+([A-Za-z_$][\w$]*)|\b([A-Za-z_$][\w$]*)\s*=\s*class\b/g),
  ].map((m) => m[1] ?? m[2]);
  const exported = [...code.matchAll(/\bexport\s*\{([^}]*)\}/g)].flatMap((m) =>
    m[1]
      .split(",")
      .map((part) => part.trim().split(/\s+as\s+/))
      .filter(([local, name]) => name !== undefined && local !== name)
      .map(([local]) => local),
  );
  return [...new Set([...classes, ...exported])].filter(renamed).sort();
}

/** One esbuild run over `entries` of the package in `dir`; `splitting` shares their code in chunks. */
function bundle(dir, entries, splitting) {
  return build({
    absWorkingDir: dir,
    entryPoints: entries.map((entry) => ({
      in: sourceOf(entry),
      out: entry.replace(/^\.\/dist\//, "").replace(/\.js$/, ""),
    })),
    outdir: join(dir, "dist"),
    bundle: true,
    splitting,
    // Shared code and what a dynamic import() loads alike: `chunk-<hash>.js`.
    chunkNames: "chunk-[hash]",
    format: "esm",
    platform: "neutral",
    target: "es2022",
    // Bare specifiers (other packages), node:*, cloudflare:* and #platform stay imports.
    packages: "external",
    external: ["node:*", "cloudflare:*", "#*"],
    // Not published (files: "!dist/**/*.map"); a stack trace points into readable JavaScript.
    sourcemap: false,
    // No `__name(fn, "fn")` call around every function: made at run time for each closure,
    // it cost ~10 % of the client's CPU per message (issue 14). Names stay those of the
    // source unless esbuild renames a binding to avoid a clash inside one bundle;
    // renamedBindings() refuses that for classes and exports (their `name` is seen by users).
    keepNames: false,
    logLevel: "warning",
    tsconfig: join(dir, "tsconfig.json"),
    metafile: true,
    write: false,
  });
}

async function bundlePackage(dir) {
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const entries = runtimeEntries(pkg).filter((entry) => existsSync(join(dir, sourceOf(entry))));
  if (entries.length === 0 || !existsSync(join(dir, "dist"))) return;
  const dist = join(dir, "dist");
  // A platform entry is bundled alone, into one file: sharing a chunk with the exports (if
  // only esbuild's `__name` helper) would cost every import of the package one more file
  // to load. It may then share no module with them (checked below): a module has one copy.
  const platform = new Set(platformEntries(pkg));
  const shared = entries.filter((entry) => !platform.has(entry));
  const runs = await Promise.all([
    ...(shared.length > 0 ? [bundle(dir, shared, true)] : []),
    ...entries.filter((entry) => platform.has(entry)).map((entry) => bundle(dir, [entry], false)),
  ]);
  const owner = new Map();
  for (const [i, run] of runs.entries()) {
    for (const input of Object.keys(run.metafile.inputs)) {
      const other = owner.get(input);
      if (other !== undefined && other !== i) {
        throw new Error(`${pkg.name}: ${input} is in a platform entry and in another bundle`);
      }
      owner.set(input, i);
    }
  }
  const outputFiles = runs.flatMap((run) => run.outputFiles);
  for (const file of outputFiles) {
    const renamed = renamedBindings(file.text);
    if (renamed.length > 0) {
      throw new Error(
        `${pkg.name}: esbuild renamed ${renamed.join(", ")} in ${relative(dir, file.path)} ` +
          "(two modules of the bundle declare the same name): rename one of them in the source",
      );
    }
  }
  // Only what changed is written, each file whole (a temporary file renamed over it): tests
  // that run the built code in parallel (the CLI's, the bench's) never read half a file,
  // and a build with nothing new rewrites nothing.
  for (const file of outputFiles) {
    if (existsSync(file.path) && readFileSync(file.path).equals(file.contents)) continue;
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
  }
  // Chunks of an earlier build are named by their old contents' hash: removed.
  const written = new Set(outputFiles.map((file) => file.path));
  for (const name of readdirSync(dist)) {
    if (/^chunk-[A-Z0-9]+\.js$/.test(name) && !written.has(join(dist, name))) {
      rmSync(join(dist, name));
    }
  }
  console.log(`${pkg.name}: ${entries.map((e) => relative("./dist", e)).join(", ")}`);
}

if (process.argv[1] === import.meta.filename) {
  const dirs =
    process.argv.length > 2
      ? process.argv.slice(2).map((d) => join(process.cwd(), d))
      : readdirSync(join(root, "packages")).map((d) => join(root, "packages", d));
  for (const dir of dirs) {
    if (existsSync(join(dir, "package.json"))) await bundlePackage(dir);
  }
}
