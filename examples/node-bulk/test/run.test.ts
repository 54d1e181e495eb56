import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const dir = resolve(import.meta.dirname, "..");

describe("examples/node-bulk", () => {
  it("runs standalone against its embedded server", async () => {
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith("MAIL_")),
    );
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--conditions=source", "--import", "tsx", "src/main.ts"],
      { cwd: dir, env: { ...env, COUNT: "120" }, timeout: 60_000 },
    );
    expect(stdout).toMatch(/done: 120 sent, 0 failed/);
    expect(stdout).toContain("sent 50/120, failed 0");
  });
});
