import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseEnvFile, readEnvFile, required, requiredNumber } from "./env-file.ts";

describe("parseEnvFile", () => {
  it("reads KEY=VALUE lines, skipping blanks and comments", () => {
    const env = parseEnvFile("# settings\nA=1\n\nB=x=y\r\nC=\n  D=spaced  \nnot a line\n");
    expect([...env]).toEqual([
      ["A", "1"],
      ["B", "x=y"],
      ["C", ""],
      ["D", "spaced"],
    ]);
  });

  it("required and requiredNumber name the missing or bad key", () => {
    const env = parseEnvFile("PORT=12525\nEMPTY=\nBAD=12x\nZERO=0\n");
    expect(requiredNumber(env, "PORT")).toBe(12525);
    expect(() => required(env, "NOPE")).toThrow("NOPE is missing");
    expect(() => required(env, "EMPTY")).toThrow("EMPTY is missing");
    expect(() => requiredNumber(env, "BAD")).toThrow("BAD is not a positive integer");
    expect(() => requiredNumber(env, "ZERO")).toThrow("ZERO is not a positive integer");
  });
});

describe("readEnvFile", () => {
  it("returns undefined for a file that does not exist, the parsed file otherwise", async () => {
    const dir = await mkdtemp(join(tmpdir(), "interop-env-"));
    try {
      expect(await readEnvFile(join(dir, "env"))).toBeUndefined();
      await writeFile(join(dir, "env"), "EXIM_PORT=13525\n");
      expect((await readEnvFile(join(dir, "env")))?.get("EXIM_PORT")).toBe("13525");
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});
