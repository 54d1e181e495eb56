import { execFile } from "node:child_process";
import { promisify } from "node:util";

/**
 * Runs the example in `dir` (its `src/main.ts`, from sources) the way a user without a mail
 * server would: every `MAIL_*` variable is removed, so it sends through its embedded server.
 * `env` adds variables of its own. Resolves with what it printed on stdout.
 */
export async function runStandalone(
  dir: string,
  env: Record<string, string> = {},
): Promise<string> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("MAIL_")),
  );
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--conditions=source", "--import", "tsx", "src/main.ts"],
    { cwd: dir, env: { ...inherited, ...env }, timeout: 60_000 },
  );
  return stdout;
}
