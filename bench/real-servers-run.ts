/**
 * The `--servers` mode's run: for each repetition, server, delay and client (order rotated),
 * one fresh client process through the proxy; then the table, the JSON, and any problem.
 * See real-servers.ts and bench/README.md.
 */
import { libraryOf } from "./clients.ts";
import type { BenchConfig } from "./config.ts";
import { startServer } from "./processes.ts";
import {
  measureRealServer,
  type RealServerRow,
  type RealServerRun,
  realServerTable,
  realTargets,
  summarizeRealServers,
} from "./real-servers.ts";
import { machineInfo, type RunRecord, rotated, versionOf, writeResultJson } from "./run-common.ts";

/** Everything the mode produced. @since 0.1.0 */
export interface RealServersResult extends RunRecord {
  runs: RealServerRun[];
  summary: RealServerRow[];
}

/**
 * Measures one connection of each client against each server of `config.servers`.
 *
 * @since 0.1.0
 */
export async function runRealServers(config: BenchConfig): Promise<RealServersResult> {
  const log = (line: string) => {
    if (config.verbose) process.stderr.write(`${line}\n`);
  };
  const started = new Date();
  const delays = config.delays;
  if (delays.length === 0) throw new Error("--servers needs at least one delay (--delays)");
  // One connection each: the single-connection variants only; @smtp once per window, the
  // raw client with the widest.
  const widest = Math.max(...config.windows);
  const variants = config.clients
    .filter((c) => c.endsWith("1"))
    .flatMap((client) =>
      libraryOf(client) === "smtp"
        ? config.windows.map((maxInFlight) => ({ client, maxInFlight }))
        : [{ client, maxInFlight: libraryOf(client) === "raw" ? widest : undefined }],
    );
  const server = await startServer();
  const runs: RealServerRun[] = [];
  try {
    const targets = await realTargets(config.servers, server.sinkPort);
    for (let rep = 0; rep < config.reps; rep++) {
      for (const target of targets) {
        for (const delayMs of delays) {
          for (const { client, maxInFlight } of rotated(variants, rep)) {
            const run = await measureRealServer(server, config, target, {
              rep,
              delayMs,
              client,
              maxInFlight,
            });
            runs.push(run);
            log(
              `rep ${rep + 1}/${config.reps} ${target.name} RTT ${2 * delayMs} ms ${client}` +
                `${maxInFlight === undefined ? "" : ` window ${maxInFlight}`}: ` +
                `${run.msgsPerSec.toFixed(1)} msgs/s, ${run.rttPerMsg.toFixed(2)} RTT/msg` +
                (run.problems.length ? `, PROBLEMS: ${run.problems.join("; ")}` : ""),
            );
          }
        }
      }
    }
  } finally {
    await server.stop();
  }
  const summary = summarizeRealServers(runs);
  const problems = runs.flatMap((r) =>
    r.problems.map((p) => `${r.server} D=${r.delayMs} ${r.client} rep ${r.rep + 1}: ${p}`),
  );
  const machine = machineInfo();
  const versions = { nodemailer: versionOf("nodemailer"), "smtp-server": versionOf("smtp-server") };
  const markdown = [
    `# @smtp vs nodemailer on real servers — ${started.toISOString()}`,
    "",
    `${config.reps} repetition(s) of ${config.nDelayed} messages (time cap ${config.timeCapMs / 1000} s) after a warm-up, ` +
      `one connection, ${config.sendsInFlight} sends outstanding, @smtp windows ${config.windows.join(", ")}; node ${machine.node}, ${machine.cpus} CPUs; nodemailer ${versions.nodemailer}; ` +
      `servers: ${config.servers.join(", ")} (smtp-server is the bench's sink, greeting delay patched to 0).`,
    "RTT/msg = (ms per message) ÷ RTT; waits/msg = times the client waited for the server. Medians with (min–max).",
    "",
    realServerTable(summary),
    "",
    problems.length === 0
      ? "Every send succeeded."
      : `PROBLEMS (${problems.length}):\n${problems.map((p) => `- ${p}`).join("\n")}`,
  ].join("\n");
  const result: RealServersResult = {
    date: started.toISOString(),
    machine,
    versions,
    config,
    runs,
    summary,
    problems,
    markdown,
    jsonPath: undefined,
  };
  result.jsonPath = await writeResultJson(result, config.jsonPath, started, "servers");
  return result;
}
