import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain ESM script without types
import { platformEntries, renamedBindings, runtimeEntries } from "../../scripts/bundle-dist.mjs";

// `pnpm build` bundles each package's runtime entry points (scripts/bundle-dist.mjs). What
// must hold: every entry point is a bundle whose relative imports are only the package's
// shared chunks (never tsc's per-file modules: that would load a second copy of a module),
// and two entry points of one package share one copy of what they both export.

const root = fileURLToPath(new URL("../..", import.meta.url));
const packages = readdirSync(join(root, "packages")).filter((dir) =>
  existsSync(join(root, "packages", dir, "package.json")),
);
const manifest = (dir: string) =>
  JSON.parse(readFileSync(join(root, "packages", dir, "package.json"), "utf8"));

/** Relative specifiers a module imports statically or dynamically. */
function relativeImports(source: string): string[] {
  const found = source.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}\/[^"']+)["']/g);
  return [...found].map((match) => match[1]!);
}

describe("runtimeEntries", () => {
  it("takes the default targets of exports and imports, however nested, and the bins", () => {
    const entries = runtimeEntries({
      exports: {
        ".": { source: "./src/index.ts", types: "./dist/index.d.ts", default: "./dist/index.js" },
        "./sub": { types: "./dist/sub/index.d.ts", default: "./dist/sub/index.js" },
        "./package.json": "./package.json",
      },
      imports: {
        "#platform": {
          workerd: { source: "./src/w.ts", default: "./dist/w.js" },
          default: "./dist/runtime.js",
        },
      },
      bin: { tool: "dist/bin.js" },
    });
    expect(entries.sort()).toEqual(
      [
        "./dist/bin.js",
        "./dist/index.js",
        "./dist/runtime.js",
        "./dist/sub/index.js",
        "./dist/w.js",
      ].sort(),
    );
  });

  it("platformEntries: the imports targets only", () => {
    const pkg = {
      exports: { ".": { default: "./dist/index.js" } },
      imports: { "#platform": { workerd: "./dist/w.js", default: "./dist/runtime.js" } },
      bin: "./dist/cli.js",
    };
    expect(platformEntries(pkg).sort()).toEqual(["./dist/runtime.js", "./dist/w.js"]);
    expect(platformEntries({ exports: { ".": "./dist/index.js" } })).toEqual([]);
  });

  it("a string bin, and nothing outside dist", () => {
    expect(runtimeEntries({ bin: "./dist/cli.js", exports: { ".": "./index.js" } })).toEqual([
      "./dist/cli.js",
    ]);
  });
});

describe.each(packages)("packages/%s: built entry points are bundles", (dir) => {
  const entries: string[] = runtimeEntries(manifest(dir));

  it("exists for every runtime entry point (run pnpm build)", () => {
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) expect(existsSync(join(root, "packages", dir, entry))).toBe(true);
  });

  it("imports only its package's chunks, never a per-file module", () => {
    for (const entry of entries) {
      const file = join(root, "packages", dir, entry);
      for (const specifier of relativeImports(readFileSync(file, "utf8"))) {
        expect(specifier, `${entry} imports ${specifier}`).toMatch(
          /^(\.\.?\/)+chunk-[A-Z0-9]+\.js$/,
        );
        expect(existsSync(join(dirname(file), specifier))).toBe(true);
      }
    }
  });

  it("a platform entry (#platform) is one file: no chunk to load beside it", () => {
    for (const entry of platformEntries(manifest(dir))) {
      const file = join(root, "packages", dir, entry);
      expect(relativeImports(readFileSync(file, "utf8")), entry).toEqual([]);
    }
  });
});

describe("one copy of a module per package", () => {
  // In a plain Node.js process, as a user loads them (vitest would resolve @smtp/* to sources).
  it("SmtpError from @smtp/core, @smtp/core/internal and @smtp/client is one class", () => {
    const script = `
      const core = await import("@smtp/core");
      const internal = await import("@smtp/core/internal");
      const client = await import("@smtp/client");
      let thrown;
      try { client.createClient({ host: "localhost", bogus: 1 }); } catch (error) { thrown = error; }
      console.log(JSON.stringify([
        client.SmtpError === core.SmtpError,
        internal.invalidInput("x") instanceof core.SmtpError,
        thrown instanceof core.SmtpError,
        import.meta.resolve("@smtp/core/internal"),
      ]));`;
    const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: join(root, "packages/cli"),
      encoding: "utf8",
    });
    const [sameClass, internalClass, thrownClass, resolved] = JSON.parse(output);
    expect(resolved).toMatch(/\/packages\/core\/dist\/internal\/index\.js$/);
    expect([sameClass, internalClass, thrownClass]).toEqual([true, true, true]);
  });
});

describe("names in the bundles (built without esbuild's keepNames)", () => {
  it("renamedBindings: a class or an export renamed beside its original name", () => {
    expect(renamedBindings("class Foo {}\nvar Foo2 = class {};\nexport { Foo2 as Bar };")).toEqual([
      "Foo2",
    ]);
    expect(renamedBindings("function parse() {}\nclass parse3 {}")).toEqual(["parse3"]);
    expect(renamedBindings("const run = 1;\nfunction run2() {}\nexport { run2 as run };")).toEqual([
      "run2",
    ]);
  });

  it("renamedBindings: not names that merely end in digits, import aliases or internal functions", () => {
    const code = [
      'import { SmtpError as SmtpError9 } from "@smtp/core/base";',
      "class Sha256 {}",
      "function utf8() {}",
      "function certificate() {}",
      "function certificate2() {}",
      "const SmtpError = 1;",
      "export { SmtpError9 as SmtpError, Sha256, utf8 as toUtf8 };",
    ].join("\n");
    expect(renamedBindings(code)).toEqual([]);
  });

  it("every function and class a built entry point exports has its exported name", () => {
    // In a plain Node.js process, as a user loads them; the platform entries and bins aside.
    const entries = packages.flatMap((dir) => {
      const pkg = manifest(dir);
      const skip = new Set([...platformEntries(pkg), ...runtimeEntries({ bin: pkg.bin })]);
      return runtimeEntries(pkg)
        .filter((entry: string) => !skip.has(entry))
        .map((entry: string) => join(root, "packages", dir, entry));
    });
    const script = `
      const wrong = [];
      for (const file of ${JSON.stringify(entries)}) {
        const module = await import(file);
        for (const [key, value] of Object.entries(module)) {
          if (typeof value === "function" && value.name !== key) wrong.push(file + ": " + key + " is named " + value.name);
        }
      }
      console.log(JSON.stringify(wrong));`;
    const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: root,
      encoding: "utf8",
    });
    expect(entries.length).toBeGreaterThan(10);
    expect(JSON.parse(output)).toEqual([]);
  });
});
