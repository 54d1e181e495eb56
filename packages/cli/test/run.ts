import { execFile, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// The tests run the built bin, as users do: `node packages/cli/dist/bin.js` (and Bun and
// Deno on the same file). The build is brought up to date once, under a lock, since test
// files run in parallel.

export const root = fileURLToPath(new URL("../../../", import.meta.url));
export const bin = join(root, "packages/cli/dist/bin.js");
const lock = join(root, "packages/cli/dist/.test-build-lock");

/**
 * `tsc -b packages/cli` (a no-op when the build is up to date), then the runtime bundles of
 * the packages the bin loads (scripts/bundle-dist.mjs, as `pnpm build` does).
 */
export async function ensureBuilt(): Promise<void> {
  mkdirSync(join(root, "packages/cli/dist"), { recursive: true });
  for (let waited = 0; ; waited += 100) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another file is building: wait for it (a lock older than two minutes is stale).
      if (waited > 120_000 || Date.now() - statSync(lock).mtimeMs > 120_000) {
        rmdirSync(lock);
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    execFileSync(join(root, "node_modules/.bin/tsc"), ["-b", "packages/cli"], { cwd: root });
    execFileSync(process.execPath, [join(root, "scripts/bundle-dist.mjs")], { cwd: root });
  } finally {
    rmdirSync(lock);
  }
  if (!existsSync(bin)) throw new Error("packages/cli/dist/bin.js was not built");
}

/** What a run of the bin gave. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Variables added to a clean environment (no SMTP_URL or SMTP_PASS of the caller's). */
  env?: Record<string, string>;
  /** Written to standard input, then closed. */
  input?: string;
  cwd?: string;
  /** `node` (default), `bun` or `deno`. */
  runtime?: "node" | "bun" | "deno";
  timeout?: number;
}

function command(runtime: RunOptions["runtime"]): [string, string[]] {
  if (runtime === "bun") return [join(root, "node_modules/.bin/bun"), [bin]];
  if (runtime === "deno") return [join(root, "node_modules/.bin/deno"), ["run", "-A", bin]];
  return [process.execPath, [bin]];
}

/** Runs `smtp ARGS` as a child process and collects its output and exit status. */
export function runSmtp(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const [file, prefix] = command(options.runtime);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/tmp",
    DENO_NO_UPDATE_CHECK: "1",
    NO_COLOR: "1",
    ...options.env,
  };
  return new Promise((resolve) => {
    const child = execFile(
      file,
      [...prefix, ...args],
      { cwd: options.cwd ?? root, env, timeout: options.timeout ?? 30_000, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        const code = error ? ((error as { code?: unknown }).code as number) : 0;
        resolve({ code: typeof code === "number" ? code : -1, stdout, stderr });
      },
    );
    child.stdin?.end(options.input ?? "");
  });
}

/** `-f FROM -t TO…`: the sender and recipients of a test message. */
export function envelope(from: string, ...to: string[]): string[] {
  return ["-f", from, ...to.flatMap((address) => ["-t", address])];
}

/** A fresh temporary folder. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "smtp-cli-test-"));
}

/** Writes `text` to `name` in `dir` and returns the path. */
export function writeTemp(dir: string, name: string, text: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/**
 * Runs `smtp ARGS` in a pseudo-terminal (script(1) of util-linux), answering prompts:
 * each answer is typed once its `after` pattern has shown up in the output.
 */
export function runInTerminal(
  args: readonly string[],
  answers: readonly { after: RegExp; type: string }[],
  options: { env?: Record<string, string>; timeout?: number } = {},
): Promise<{ code: number | null; output: string }> {
  const shellQuote = (value: string): string => `'${value.replace(/'/g, "'\\''")}'`;
  // A pseudo-terminal without a parent terminal has no size: give it one, as a window would.
  const line = `stty cols 120 rows 40 && exec ${[process.execPath, bin, ...args].map(shellQuote).join(" ")}`;
  return new Promise((resolve) => {
    const child = spawn("script", ["-qefc", line, "/dev/null"], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "/tmp",
        TERM: "xterm-256color",
        COLUMNS: "120",
        LINES: "40",
        ...options.env,
      },
    });
    let output = "";
    let next = 0;
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeout ?? 30_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString("utf8");
      while (next < answers.length && (answers[next] as { after: RegExp }).after.test(output)) {
        const answer = answers[next++] as { type: string };
        // Typed a little later, as a person would, once the prompt listens.
        setTimeout(() => child.stdin.write(answer.type), 150 * next);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
