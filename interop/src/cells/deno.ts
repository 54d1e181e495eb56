/**
 * Cell: the same client on Deno. interop/deno/send.ts runs under the project's Deno (so
 * @smtp/client picks @smtp/transport-deno) and sends over STARTTLS and implicit TLS (LMTP:
 * one plaintext session); this side checks the outcomes and the server's store.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ClientOptions, MessageInput } from "../../../packages/client/src/index.ts";
import { arrivalProblems } from "../checks.ts";
import type { CellContext } from "../context.ts";
import { fail, verdict } from "../outcome.ts";
import type { Cell } from "./cell.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const DENO = join(ROOT, "node_modules", ".bin", "deno");
const SCRIPT = join(ROOT, "interop", "deno", "send.ts");

interface DenoReport {
  runtime: string;
  results: { ok: boolean; error?: { kind?: string; code?: number; message: string } }[];
  transcript: { send: number; direction: "S" | "C" | "*"; text: string }[];
}

/** The sends for this server: options without callbacks, as JSON can carry them. */
function plan(ctx: CellContext): { options: ClientOptions; message: MessageInput }[] {
  const s = ctx.server;
  const base = {
    host: s.host,
    timeouts: { connect: 10_000, greeting: 15_000, command: 15_000, data: 60_000 },
  };
  if (s.protocol === "lmtp") {
    return [
      {
        options: { ...base, port: s.plainPort, starttls: "never", lmtp: true },
        message: ctx.message(0),
      },
    ];
  }
  const sends: { options: ClientOptions; message: MessageInput }[] = [
    {
      options: { ...base, port: s.starttlsPort!, starttls: "required", tls: { ca: s.caPem } },
      message: ctx.message(0),
    },
  ];
  if (s.implicitPort !== undefined) {
    sends.push({
      options: {
        ...base,
        port: s.implicitPort,
        secure: true,
        tls: { ca: s.caPem },
        ...(s.implicitNeedsAuth ? { auth: { user: s.user, pass: s.pass } } : {}),
      },
      message: ctx.message(1),
    });
  }
  return sends;
}

function runDeno(input: string): Promise<DenoReport> {
  const args = [
    "run",
    "--conditions=source",
    "--allow-net=127.0.0.1",
    "--allow-sys=hostname",
    SCRIPT,
  ];
  return new Promise((resolve, reject) => {
    const child = execFile(
      DENO,
      args,
      { cwd: ROOT, timeout: 120_000, env: { ...process.env, DENO_NO_UPDATE_CHECK: "1" } },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${error.message.split("\n")[0]} ${stderr.slice(-500)}`));
        else resolve(JSON.parse(stdout) as DenoReport);
      },
    );
    child.stdin?.end(input);
  });
}

/** @since 0.1.0 */
export const denoCell: Cell = {
  id: "deno",
  title: "on Deno (Deno transport): STARTTLS and implicit TLS (LMTP: plaintext)",
  protocols: ["smtp", "lmtp"],
  async run(ctx) {
    const sends = plan(ctx);
    const mark = await ctx.mark();
    let report: DenoReport;
    try {
      report = await runDeno(JSON.stringify({ sends }));
    } catch (error) {
      return fail(`deno: ${(error as Error).message}`);
    }
    const recorders = sends.map(() => ctx.transcript.forNewClient());
    for (const line of report.transcript) recorders[line.send]?.({ ...line, connection: 1 });
    const problems: string[] = [];
    report.results.forEach((r, i) => {
      if (!r.ok)
        problems.push(
          `send ${i} failed: ${r.error?.kind ?? ""} ${r.error?.code ?? ""} ${r.error?.message ?? ""}`,
        );
    });
    const arrivals = await ctx.arrivals(
      mark,
      sends.map((_, i) => i),
    );
    sends.forEach((_, i) => {
      problems.push(...arrivalProblems(arrivals, ctx.idOf(i), { copies: 1, label: `send ${i}` }));
    });
    return verdict(problems, report.runtime);
  },
};
