import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const dir = resolve(import.meta.dirname, "..");

describe("examples/node-attachments", () => {
  it("runs standalone against its embedded server", async () => {
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith("MAIL_")),
    );
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--conditions=source", "--import", "tsx", "src/main.ts"],
      { cwd: dir, env, timeout: 60_000 },
    );
    expect(stdout).toMatch(/sent <[^>]+> with 4 parts: 250 /);
  });
});
