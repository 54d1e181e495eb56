import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

// @smtp/core, @smtp/mime and @smtp/dkim must run anywhere: their compiler settings leave out Node and
// DOM types, so any use of a runtime global is a compile error. This test proves it by
// compiling small fixtures with each package's own tsconfig.
const root = resolve(import.meta.dirname, "../..");
const tsc = join(root, "node_modules/.bin/tsc");
const scratch = mkdtempSync(join(tmpdir(), "smtp-purity-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function compile(pkg: string, fixture: string): { ok: boolean; output: string } {
  const config = join(scratch, `${pkg}-${fixture}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      extends: join(root, "packages", pkg, "tsconfig.json"),
      compilerOptions: {
        noEmit: true,
        composite: false,
        incremental: false,
        declaration: false,
        declarationMap: false,
        rootDir: root,
      },
      include: [],
      files: [
        join(root, "packages", pkg, "src/globals.d.ts"),
        join(root, "tests/purity/fixtures", `${fixture}.ts`),
      ],
    }),
  );
  try {
    const output = execFileSync(tsc, ["-p", config], { encoding: "utf8", stdio: "pipe" });
    return { ok: true, output };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

describe.each(["core", "mime", "dkim"])("@smtp/%s compiles without any runtime", (pkg) => {
  it("accepts platform-free code (the control)", () => {
    const result = compile(pkg, "platform-free");
    expect(result.output).toBe("");
    expect(result.ok).toBe(true);
  });

  it.each([
    ["uses-buffer", "Buffer"],
    ["uses-process", "process"],
    ["uses-set-timeout", "setTimeout"],
    ["uses-node-import", "node:net"],
    ["uses-dom", "document"],
  ])("rejects %s", (fixture, name) => {
    const result = compile(pkg, fixture);
    expect(result.ok).toBe(false);
    // The error must be about the runtime name itself, not a broken config.
    expect(result.output).toMatch(new RegExp(`error TS\\d+: .*${name}`));
  });
});
