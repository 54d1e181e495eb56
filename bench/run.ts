/**
 * `pnpm bench`: @smtp/client and nodemailer side by side, in the same run, against one
 * smtp-server sink in its own process. Prints Markdown tables and writes JSON under
 * bench/results/. With `--servers`, measures real servers instead (real-servers-run.ts). See
 * bench/README.md.
 */
import { randomFillSync } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { libraryOf } from "./clients.ts";
import { type ColdStartResult, measureColdStart } from "./cold-start.ts";
import { type BenchConfig, parseConfig, USAGE } from "./config.ts";
import { type DkimRow, dkimTable, summarizeDkim } from "./dkim-report.ts";
import { type EngineResult, engineTables, measureEngine } from "./engine.ts";
import {
  type AttachmentCase,
  type AttachmentRun,
  measureAttachment,
  measureThroughput,
  type ThroughputRun,
} from "./measure.ts";
import {
  type MemoryRow,
  type MemoryRun,
  measureMemory,
  memoryClients,
  memoryTable,
  summarizeMemory,
} from "./memory.ts";
import { startServer } from "./processes.ts";
import { runRealServers } from "./real-servers-run.ts";
import {
  type AttachmentRow,
  attachmentTable,
  coldStartTable,
  summarizeAttachments,
  summarizeThroughput,
  type ThroughputRow,
  throughputTable,
} from "./report.ts";
import { machineInfo, type RunRecord, rotated, versionOf, writeResultJson } from "./run-common.ts";
import { fmtSpread } from "./stats.ts";
import {
  measureTlsSetup,
  summarizeTlsSetup,
  TLS_CLIENTS,
  type TlsSetupRow,
  type TlsSetupRun,
  tlsSetupTable,
  tlsTarget,
} from "./tls-setup.ts";
import { sha256File } from "./verify.ts";

/** Where the large attachments come from: bytes in memory, a file stream, a file path. */
const SOURCES = ["bytes", "stream", "path"] as const;

/** Everything one run produced. @since 0.1.0 */
export interface BenchResult extends RunRecord {
  throughput: { runs: ThroughputRun[]; summary: ThroughputRow[] };
  attachments: { runs: AttachmentRun[]; summary: AttachmentRow[] };
  /** Signed against unsigned large-attachment runs. */
  dkim: DkimRow[];
  /** Cold start and install footprint, when measured. */
  coldStart: ColdStartResult | undefined;
  /** Memory with many sends at once and over a long run. */
  memory: { runs: MemoryRun[]; summary: MemoryRow[] };
  /** TLS set-up with and without session resumption (Postfix), when measured. */
  tls: { runs: TlsSetupRun[]; summary: TlsSetupRow[]; skipped: string | undefined };
  /** The engine alone (reply parser, DATA encoder beside a copy), when measured. */
  engine: EngineResult | undefined;
}

/** Writes `mib` MiB of random bytes to `path`, 1 MiB at a time. */
async function writeRandomFile(path: string, mib: number): Promise<void> {
  const out = createWriteStream(path);
  const block = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < mib; i++) {
    randomFillSync(block);
    if (!out.write(Buffer.from(block)))
      await new Promise<void>((r) => out.once("drain", () => r()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((e?: Error | null) => (e ? reject(e) : resolve())),
  );
}

/**
 * Runs the benchmark described by `config`, returns every number and the Markdown.
 *
 * @since 0.1.0
 */
export async function runBench(config: BenchConfig): Promise<BenchResult> {
  const log = (line: string) => {
    if (config.verbose) process.stderr.write(`${line}\n`);
  };
  const started = new Date();
  const workDir = await mkdtemp(join(tmpdir(), "smtp-bench-"));
  const server = await startServer();
  const throughputRuns: ThroughputRun[] = [];
  const attachmentRuns: AttachmentRun[] = [];
  const tlsRuns: TlsSetupRun[] = [];
  const memoryRuns: MemoryRun[] = [];
  let tlsSkipped: string | undefined;
  try {
    for (let rep = 0; rep < config.reps; rep++) {
      for (const delayMs of config.delays) {
        for (const recipients of config.recipients) {
          for (const client of rotated(config.clients, rep)) {
            const run = await measureThroughput(server, config, {
              rep,
              delayMs,
              recipients,
              client,
            });
            throughputRuns.push(run);
            log(
              `rep ${rep + 1}/${config.reps} D=${delayMs} R=${recipients} ${client}: ` +
                `${run.msgsPerSec.toFixed(0)} msgs/s, ${run.cpuUsPerMsg.toFixed(0)} µs CPU/msg` +
                (run.problems.length ? `, PROBLEMS: ${run.problems.join("; ")}` : ""),
            );
          }
        }
      }
    }

    for (const mode of ["concurrent", "soak"] as const) {
      const count = mode === "concurrent" ? config.concurrentSends : config.soakMessages;
      // The soak once (a leak needs no repetitions to show); the concurrent case each time.
      const reps = mode === "soak" ? Math.min(1, config.reps) : config.reps;
      for (let rep = 0; rep < reps && count > 0; rep++) {
        for (const client of rotated(memoryClients(mode), rep)) {
          const run = await measureMemory(server, config, { rep, mode, client });
          memoryRuns.push(run);
          log(
            `rep ${rep + 1}/${reps} memory ${mode} ${client}: ` +
              (mode === "concurrent"
                ? `+${run.extraRssMB.toFixed(1)} MB RSS`
                : `heap ${run.heapStartMB.toFixed(1)} MB, growth ${run.heapGrowthMB.toFixed(2)} MB`) +
              (run.problems.length ? `, PROBLEMS: ${run.problems.join("; ")}` : ""),
          );
        }
      }
    }

    if (config.tlsRounds > 0) {
      const target = await tlsTarget();
      if (target === undefined)
        tlsSkipped = "the Postfix peer is not set up (bash .ci/postfix-setup.sh)";
      for (let rep = 0; rep < config.reps && target; rep++) {
        for (const delayMs of config.tlsDelays) {
          for (const tls of ["1.3", "1.2"] as const) {
            for (const client of rotated(TLS_CLIENTS, rep)) {
              const run = await measureTlsSetup(server, config, target, {
                rep,
                delayMs,
                tls,
                client,
              });
              tlsRuns.push(run);
              log(
                `rep ${rep + 1}/${config.reps} TLS ${tls} RTT ${2 * delayMs} ms ${client}: ` +
                  `${run.setupMs.toFixed(1)} ms per set-up, ${run.cpuMs.toFixed(2)} ms CPU` +
                  (run.problems.length ? `, PROBLEMS: ${run.problems.join("; ")}` : ""),
              );
            }
          }
        }
      }
    }

    const cases: AttachmentCase[] = [];
    const files = new Map<number, { file: string; sha256: string }>();
    const fileFor = async (mib: number) => {
      let entry = files.get(mib);
      if (!entry) {
        const file = join(workDir, `payload-${mib}MiB.bin`);
        await writeRandomFile(file, mib);
        entry = { file, sha256: await sha256File(file) };
        files.set(mib, entry);
      }
      return entry;
    };
    for (const sizeMiB of config.sizesMiB) {
      for (const source of SOURCES) {
        cases.push({
          sizeMiB,
          source,
          encodeOnly: false,
          throttleMiBps: 0,
          dkim: false,
          ...(await fileFor(sizeMiB)),
        });
        if (config.dkim && source !== "path") {
          cases.push({
            sizeMiB,
            source,
            encodeOnly: false,
            throttleMiBps: 0,
            dkim: true,
            ...(await fileFor(sizeMiB)),
          });
        }
      }
    }
    if (config.throttleMiBps > 0 && config.throttleSizeMiB > 0) {
      for (const source of SOURCES) {
        cases.push({
          sizeMiB: config.throttleSizeMiB,
          source,
          encodeOnly: false,
          throttleMiBps: config.throttleMiBps,
          dkim: false,
          ...(await fileFor(config.throttleSizeMiB)),
        });
      }
    }
    if (config.encodeOnly) {
      for (const sizeMiB of config.sizesMiB) {
        for (const source of SOURCES) {
          cases.push({
            sizeMiB,
            source,
            encodeOnly: true,
            throttleMiBps: 0,
            dkim: false,
            ...(await fileFor(sizeMiB)),
          });
        }
      }
    }
    // Large attachments compare the single-connection variants only: one message, one connection.
    const single = config.clients.filter((c) => c.endsWith("1"));
    for (let rep = 0; rep < config.reps && cases.length > 0; rep++) {
      for (const c of cases) {
        // The raw client does not sign.
        const clients = c.dkim ? single.filter((name) => libraryOf(name) !== "raw") : single;
        for (const client of rotated(clients, rep)) {
          const run = await measureAttachment(server, config, c, rep, client, workDir);
          attachmentRuns.push(run);
          log(
            `rep ${rep + 1}/${config.reps} ${run.case} ${client}: ${(run.wallMs / 1000).toFixed(2)} s, ` +
              `+${run.extraRssMB.toFixed(0)} MB` +
              (run.problems.length ? `, PROBLEMS: ${run.problems.join("; ")}` : ""),
          );
        }
      }
    }
  } finally {
    await server.stop();
    await rm(workDir, { recursive: true, force: true });
  }
  // In this process, with no client process or sink running.
  const engine = config.engine ? await measureEngine(config) : undefined;
  if (engine) log(`engine alone: ${engine.reps} repetitions done`);
  // Last, with nothing else of ours running.
  const coldStart = config.coldRuns > 0 ? measureColdStart(config.coldRuns) : undefined;
  if (coldStart) log(`cold start: ${coldStart.runs} interleaved rounds done`);

  const throughputSummary = summarizeThroughput(throughputRuns);
  const attachmentSummary = summarizeAttachments(attachmentRuns);
  const dkimSummary = summarizeDkim(attachmentRuns);
  const problems = [
    ...throughputRuns.flatMap((r) =>
      r.problems.map((p) => `D=${r.delayMs} R=${r.recipients} ${r.client} rep ${r.rep + 1}: ${p}`),
    ),
    ...attachmentRuns.flatMap((r) =>
      r.problems.map((p) => `${r.case} ${r.client} rep ${r.rep + 1}: ${p}`),
    ),
    ...memoryRuns.flatMap((r) =>
      r.problems.map((p) => `memory ${r.mode} ${r.client} rep ${r.rep + 1}: ${p}`),
    ),
    ...tlsRuns.flatMap((r) =>
      r.problems.map((p) => `TLS ${r.tls} D=${r.delayMs} ${r.client} rep ${r.rep + 1}: ${p}`),
    ),
    ...(engine?.problems ?? []),
  ];
  const tlsSummary = summarizeTlsSetup(tlsRuns);
  const machine = machineInfo();
  const versions = {
    nodemailer: versionOf("nodemailer"),
    "smtp-server": versionOf("smtp-server"),
    mailparser: versionOf("mailparser"),
  };
  const sections = [
    `# @smtp vs nodemailer — ${started.toISOString()}`,
    "",
    `${config.preset}${config.custom ? " (with options)" : ""} run, ${config.reps} repetition(s); node ${machine.node}, ${machine.cpus} CPUs (${machine.cpuModel}); ` +
      `nodemailer ${versions.nodemailer}, sink smtp-server ${versions["smtp-server"]} (greeting delay patched to 0).`,
    "Medians with (min–max) over repetitions; × nm = @smtp ÷ nodemailer with the same connections, same repetition.",
  ];
  if (throughputRuns.length > 0) {
    sections.push(
      "",
      `## Throughput (~2.4 KB text messages; N = ${config.n} at D = 0, ${config.nDelayed} with the proxy; RTT = 2·D)`,
      "",
      throughputTable(throughputSummary),
    );
  }
  const memorySummary = summarizeMemory(memoryRuns);
  if (memoryRuns.length > 0) {
    sections.push(
      "",
      "## Memory: many sends at once (pool of 5), and the heap over a long run (after a full GC)",
      "",
      memoryTable(memorySummary),
    );
  }
  if (tlsRuns.length > 0 || tlsSkipped !== undefined) {
    sections.push(
      "",
      "## Connection set-up with TLS session resumption (Postfix submission port: connect, EHLO, STARTTLS, EHLO, AUTH, timed to the QUIT; medians)",
      "",
      tlsSkipped === undefined ? tlsSetupTable(tlsSummary) : `Skipped: ${tlsSkipped}.`,
    );
  }
  if (attachmentRuns.length > 0) {
    sections.push(
      "",
      "## Large attachment (one message, one connection; extra RSS = peak − RSS before the timed part)",
      "",
      attachmentTable(attachmentSummary),
    );
  }
  if (dkimSummary.length > 0) {
    sections.push(
      "",
      "## DKIM signing (rsa-sha256, 2048-bit key): each signed run against the unsigned run of the same case, client and repetition",
      "",
      dkimTable(dkimSummary),
    );
  }
  if (engine) {
    sections.push(
      "",
      `## Engine alone (@smtp/core in-process${engine.source ? ", from source" : ""}: ${engine.reps} repetitions of ${engine.msPerRun} ms per row, order alternated; replies fed one server write at a time; the DATA encoder beside a copy of the same chunks into a preallocated buffer)`,
      "",
      engineTables(engine),
    );
  }
  if (coldStart) {
    sections.push(
      "",
      `## Cold start and footprint (${coldStart.runs} interleaved runs; bare \`node -e ""\` ${fmtSpread(coldStart.bareMs, 0)} ms)`,
      "",
      coldStartTable(coldStart),
      ...coldStart.skipped.map((s) => `\nSkipped: ${s}`),
    );
  }
  sections.push(
    "",
    problems.length === 0
      ? "Correctness: every message delivered; sampled messages parsed with mailparser and attachments' SHA-256 matched; every DKIM signature verified (mailauth); the engine's replies parsed back and its stuffed bodies un-stuffed to their input."
      : `Correctness PROBLEMS (${problems.length}):\n${problems.map((p) => `- ${p}`).join("\n")}`,
  );
  const markdown = sections.join("\n");

  const result: BenchResult = {
    date: started.toISOString(),
    machine,
    versions,
    config,
    throughput: { runs: throughputRuns, summary: throughputSummary },
    attachments: { runs: attachmentRuns, summary: attachmentSummary },
    dkim: dkimSummary,
    coldStart,
    memory: { runs: memoryRuns, summary: memorySummary },
    tls: { runs: tlsRuns, summary: tlsSummary, skipped: tlsSkipped },
    engine,
    problems,
    markdown,
    jsonPath: undefined,
  };
  const name = `${config.preset}${config.custom ? "-custom" : ""}`;
  result.jsonPath = await writeResultJson(result, config.jsonPath, started, name);
  return result;
}

async function main(): Promise<void> {
  let config: ReturnType<typeof parseConfig>;
  try {
    config = parseConfig(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
    return;
  }
  if (config === "help") {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const result = config.servers.length > 0 ? await runRealServers(config) : await runBench(config);
  process.stdout.write(`${result.markdown}\n`);
  process.stderr.write(`results: ${result.jsonPath}\n`);
  if (result.problems.length > 0) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
