import { readdirSync, readFileSync } from "node:fs";
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
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
};
const read = (dir: string): Manifest =>
  JSON.parse(readFileSync(join(root, "packages", dir, "package.json"), "utf8")) as Manifest;

/** Which workspace packages each package may depend on at run time. */
const allowed: Record<string, string[]> = {
  "@smtp/core": [],
  "@smtp/mime": [],
  "@smtp/transport-node": ["@smtp/core"],
  "@smtp/transport-deno": ["@smtp/core"],
  "@smtp/client": ["@smtp/core", "@smtp/mime", "@smtp/transport-node", "@smtp/transport-deno"],
};

describe("workspace packages", () => {
  it("are exactly the five published packages", () => {
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
      expect(pkg.files).toContain("dist");
      expect(pkg.repository?.directory).toBe(`packages/${dir}`);
    });

    it("exports types first among the published conditions, into dist, and package.json", () => {
      const main = pkg.exports?.["."] as Record<string, string>;
      const published = Object.keys(main).filter((k) => k !== "source");
      expect(published).toEqual(["types", "default"]);
      expect(main.types).toBe("./dist/index.d.ts");
      expect(main.default).toBe("./dist/index.js");
      expect(main.source).toBe("./src/index.ts");
      expect(pkg.exports?.["./package.json"]).toBe("./package.json");
    });

    it("depends only on what the dependency rule allows, and on nothing outside the workspace", () => {
      const deps = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies });
      for (const dep of deps) expect(allowed[pkg.name]).toContain(dep);
    });
  });
});
