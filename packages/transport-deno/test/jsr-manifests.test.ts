// Every published package has the JSR manifest `deno publish` needs, in step with its
// package.json, and the root deno.json lists each one as a workspace member (so a
// dependency on "@smtp/core" publishes as "jsr:@smtp/core").
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "../../..");
const readJson = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(root, path), "utf8")) as Record<string, unknown>;

// @smtp/queue is on npm only: BullMQ and ioredis are Node.js libraries. So is
// @smtp/transport-cloudflare: it imports cloudflare:sockets, which only workerd resolves.
// And @smtp/cli, a command with npm dependencies (Deno runs it as `deno run npm:@smtp/cli`).
const NPM_ONLY = new Set(["cli", "queue", "transport-cloudflare"]);

const published = readdirSync(join(root, "packages"), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .filter((name) => readJson(`packages/${name}/package.json`).private !== true)
  .filter((name) => !NPM_ONLY.has(name));

describe("JSR manifests", () => {
  it("covers the seven published packages", () => {
    expect(published.sort()).toEqual([
      "client",
      "core",
      "dkim",
      "mime",
      "proxy",
      "transport-deno",
      "transport-node",
    ]);
  });

  it.each(published)("packages/%s/deno.json matches its package.json", (name) => {
    const pkg = readJson(`packages/${name}/package.json`);
    const manifest = readJson(`packages/${name}/deno.json`);
    expect(manifest.name).toBe(pkg.name);
    expect(manifest.version).toBe(pkg.version);
    // deno.json `exports` is one path, or a map when the package has subpath entries (as
    // @smtp/core has "./replay"); either way JSR publishes exactly the npm entry points.
    const exportsField = pkg.exports as Record<string, string | { source?: string }>;
    const npmEntries = Object.fromEntries(
      Object.entries(exportsField)
        .filter(([subpath]) => subpath !== "./package.json")
        .map(([subpath, target]) => [subpath, typeof target === "string" ? target : target.source]),
    );
    const jsrEntries =
      typeof manifest.exports === "string" ? { ".": manifest.exports } : manifest.exports;
    expect(jsrEntries).toEqual(npmEntries);
    expect(npmEntries["."]).toBe("./src/index.ts");
  });

  it.each([...NPM_ONLY])("packages/%s has no JSR manifest (npm only)", (name) => {
    expect(existsSync(join(root, `packages/${name}/deno.json`))).toBe(false);
  });

  it("the root deno.json makes every published package a workspace member", () => {
    const workspace = readJson("deno.json").workspace as string[];
    expect([...workspace].sort()).toEqual(published.map((name) => `./packages/${name}`).sort());
  });
});
