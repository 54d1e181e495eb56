import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

// Package manifests are hand-written; these checks keep them publishable and keep the
// dependency rule of CONTRIBUTING.md true.
const root = resolve(import.meta.dirname, "../..");
const dirs = readdirSync(join(root, "packages"));

type Manifest = {
  name: string;
  type?: string;
  sideEffects?: boolean;
  license?: string;
  engines?: Record<string, string>;
  files?: string[];
  repository?: { directory?: string };
  exports?: Record<string, unknown>;
  publishConfig?: { access?: string; exports?: Record<string, unknown> };
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
};
const read = (dir: string): Manifest =>
  JSON.parse(readFileSync(join(root, "packages", dir, "package.json"), "utf8")) as Manifest;

/** Which workspace packages each package may depend on at run time. */
const allowed: Record<string, string[]> = {
  "@smtp/core": [],
  "@smtp/mime": [],
  "@smtp/dkim": ["@smtp/core"],
  "@smtp/transport-node": ["@smtp/core"],
  "@smtp/transport-deno": ["@smtp/core"],
  "@smtp/transport-cloudflare": ["@smtp/core"],
  "@smtp/proxy": ["@smtp/core"],
  "@smtp/client": [
    "@smtp/core",
    "@smtp/mime",
    "@smtp/dkim",
    "@smtp/transport-node",
    "@smtp/transport-deno",
    "@smtp/proxy",
    "@smtp/transport-cloudflare",
  ],
  "@smtp/queue": ["@smtp/client", "@smtp/core", "@smtp/mime"],
  "@smtp/cli": ["@smtp/client", "@smtp/core", "@smtp/mime", "@smtp/transport-node"],
};

/**
 * The only run-time dependencies from outside the workspace, each pinned exactly: the queue
 * is built on BullMQ, which loads ioredis only when it is a dependency of its own.
 */
const external: Record<string, Record<string, string>> = {
  "@smtp/queue": { bullmq: "6.7.6", ioredis: "6.1.0" },
  // The command line: argument parsing and completion, prompts and progress, CSV.
  "@smtp/cli": {
    commander: "14.0.3",
    "@bomb.sh/tab": "0.0.22",
    "@clack/prompts": "1.9.0",
    "csv-parse": "7.0.3",
    "csv-stringify": "6.9.0",
  },
};

describe("workspace packages", () => {
  it("are exactly the published packages", () => {
    expect(dirs.map((d) => read(d).name).sort()).toEqual(Object.keys(allowed).sort());
  });

  describe.each(dirs)("packages/%s", (dir) => {
    const pkg = read(dir);

    it("is an ESM package with the publishing fields", () => {
      expect(pkg.name).toBe(`@smtp/${dir}`);
      expect(pkg.type).toBe("module");
      expect(pkg.sideEffects).toBe(false);
      expect(pkg.license).toBe("MIT");
      expect(pkg.engines?.node).toMatch(/^>=20/);
      expect(pkg.repository?.directory).toBe(`packages/${dir}`);
    });

    it("publishes dist without source maps, and no src (JSR publishes the sources)", () => {
      expect(pkg.files).toEqual(["dist", "!dist/**/*.map", "!dist/**/*.tsbuildinfo"]);
      // Without src a source map points nowhere, so the build emits none (a .js file
      // would otherwise name a missing .map); `files` also keeps out maps left in dist
      // by an older build.
      const tsconfig = JSON.parse(
        readFileSync(join(root, "packages", dir, "tsconfig.json"), "utf8"),
      ) as { compilerOptions?: { sourceMap?: boolean; declarationMap?: boolean } };
      expect(tsconfig.compilerOptions?.sourceMap).toBe(false);
      expect(tsconfig.compilerOptions?.declarationMap).toBe(false);
    });

    it("exports each entry point types first among the published conditions, into dist, and package.json", () => {
      const entries = Object.entries(pkg.exports ?? {}).filter(([key]) => key !== "./package.json");
      expect(entries.map(([key]) => key)).toContain(".");
      for (const [subpath, target] of entries) {
        // "." is src/index.ts; "./replay" is src/replay/index.ts, and so on.
        const stem = subpath === "." ? "index" : `${subpath.slice(2)}/index`;
        const conditions = target as Record<string, string>;
        const published = Object.keys(conditions).filter((k) => k !== "source");
        expect(published).toEqual(["types", "default"]);
        expect(conditions.types).toBe(`./dist/${stem}.d.ts`);
        expect(conditions.default).toBe(`./dist/${stem}.js`);
        expect(conditions.source).toBe(`./src/${stem}.ts`);
        expect(existsSync(join(root, "packages", dir, conditions.source as string))).toBe(true);
      }
      expect(pkg.exports?.["./package.json"]).toBe("./package.json");
    });

    it("publishes the same exports without the source condition (src is not shipped)", () => {
      // pnpm pack/publish replace `exports` with `publishConfig.exports`, so a consumer
      // that enables a "source" condition never resolves to a file the tarball lacks.
      const withoutSource = Object.fromEntries(
        Object.entries(pkg.exports ?? {}).map(([subpath, target]) => [
          subpath,
          typeof target === "string"
            ? target
            : Object.fromEntries(
                Object.entries(target as Record<string, string>).filter(([c]) => c !== "source"),
              ),
        ]),
      );
      expect(pkg.publishConfig?.access).toBe("public");
      expect(pkg.publishConfig?.exports).toEqual(withoutSource);
      expect(JSON.stringify(pkg.publishConfig?.exports)).not.toContain("./src/");
      // toEqual ignores key order; "types" must still come first in what is published.
      for (const target of Object.values(pkg.publishConfig?.exports ?? {})) {
        if (typeof target !== "string")
          expect(Object.keys(target as object)).toEqual(["types", "default"]);
      }
    });

    it("depends only on what the dependency rule allows, and outside the workspace only on exact pins", () => {
      const deps = { ...pkg.dependencies, ...pkg.peerDependencies };
      const outside = external[pkg.name] ?? {};
      for (const [dep, range] of Object.entries(deps)) {
        if (dep in outside) expect(range).toBe(outside[dep]);
        else expect(allowed[pkg.name]).toContain(dep);
      }
      for (const dep of Object.keys(outside)) expect(deps).toHaveProperty(dep);
    });
  });
});
