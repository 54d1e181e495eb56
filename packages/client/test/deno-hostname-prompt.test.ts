import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type SmtpServerPeer, startSmtpServerPeer } from "@smtp-internal/test-peer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Deno asks in a terminal before Deno.hostname() runs without --allow-sys=hostname, and the
// program then hangs on the question. @smtp/client must not ask: it queries the permission
// (which never prompts) and falls back to the address literal. script(1) gives `deno run` a
// real terminal, as a user's shell would.

const root = fileURLToPath(new URL("../../../", import.meta.url));
const deno = `${root}node_modules/.bin/deno`;
const program = "packages/client/test/deno/send-without-sys.ts";
const hasScript = existsSync("/usr/bin/script");
if (!hasScript && process.env.CI) throw new Error("script(1) (util-linux) is needed in CI");

function runInTerminal(command: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      "script",
      ["-qefc", command, "/dev/null"],
      { cwd: root, timeout: 20_000, env: { ...process.env, DENO_NO_UPDATE_CHECK: "1" } },
      (error, stdout, stderr) => {
        resolve({ code: error ? (error.code as number | null) : 0, output: stdout + stderr });
      },
    );
    // Answer nothing: a prompt would wait until the time-out.
    child.stdin?.end();
  });
}

describe.skipIf(!hasScript)("Deno without --allow-sys=hostname", () => {
  let peer: SmtpServerPeer;
  beforeAll(async () => {
    peer = await startSmtpServerPeer({ tls: "none" });
  });
  afterAll(async () => {
    await peer?.close();
  });

  it("sends EHLO with the address literal, without a permission prompt", async () => {
    const { code, output } = await runInTerminal(
      `${deno} run --conditions=source --allow-net=127.0.0.1 --allow-read=. ${program} ${peer.port}`,
    );
    expect(output).not.toMatch(/requests sys access|Allow\?/);
    expect(output).toContain("RESULT C: EHLO [127.0.0.1]");
    expect(code).toBe(0);
  }, 40_000);
});
