/**
 * TLS session resumption, measured as connection set-up time: connect, EHLO, STARTTLS,
 * EHLO, AUTH and QUIT on Postfix's submission port (STARTTLS and AUTH required), one
 * connection after another, @smtp with its connector keeping TLS sessions (the default)
 * beside @smtp without (`resumeSessions: false`) and nodemailer (which keeps none); TLS 1.3,
 * and TLS 1.2 (the client process run with `--tls-max-v1.2`); straight to Postfix and
 * through the delaying proxy.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { readEnvFile, required, requiredNumber } from "../interop/src/env-file.ts";
import type { BenchConfig } from "./config.ts";
import { runClientProcess, type ServerHandle } from "./processes.ts";
import type { TlsSetupClient, TlsSetupJob, TlsSetupOutcome } from "./protocol.ts";
import { table } from "./report.ts";
import { fmt, fmtSpread, groupBy, type Spread, spread } from "./stats.ts";

/** Where the measurement connects. @since 0.2.0 */
export interface TlsTarget {
  host: string;
  port: number;
  ca: string;
  auth: { user: string; pass: string };
}

/** The TLS set-up clients, in the order of the first repetition. @since 0.2.0 */
export const TLS_CLIENTS: readonly TlsSetupClient[] = ["smtp-resume", "smtp-full", "nodemailer"];

const LABELS: Record<TlsSetupClient, string> = {
  "smtp-resume": "@smtp (sessions resumed)",
  "smtp-full": "@smtp, resumeSessions: false",
  nodemailer: "nodemailer",
};

/**
 * Postfix's submission port from `$SMTP_STATE/env`, or `undefined` when the peer is not set up.
 *
 * @since 0.2.0
 */
export async function tlsTarget(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<TlsTarget | undefined> {
  const file = join(env.SMTP_STATE ?? "/var/lib/smtp-test-peer", "env");
  const postfix = await readEnvFile(file);
  if (postfix === undefined) return undefined;
  return {
    host: "127.0.0.1",
    port: requiredNumber(postfix, "SMTP_SUBMISSION_PORT"),
    ca: await readFile(required(postfix, "SMTP_CA"), "utf8"),
    auth: { user: required(postfix, "SMTP_USER"), pass: required(postfix, "SMTP_PASS") },
  };
}

/** One measurement. @since 0.2.0 */
export interface TlsSetupRun {
  rep: number;
  delayMs: number;
  tls: "1.3" | "1.2";
  client: TlsSetupClient;
  /** Median wall ms of one set-up (connect … AUTH done, when the client writes QUIT). */
  setupMs: number;
  /** Client CPU ms per set-up. */
  cpuMs: number;
  rounds: number;
  problems: string[];
}

/**
 * Measures one cell in a fresh client process.
 *
 * @since 0.2.0
 */
export async function measureTlsSetup(
  server: ServerHandle,
  config: BenchConfig,
  target: TlsTarget,
  cell: { rep: number; delayMs: number; tls: "1.3" | "1.2"; client: TlsSetupClient },
): Promise<TlsSetupRun> {
  const proxyPort =
    cell.delayMs > 0 ? await server.openProxy(cell.delayMs, target.port) : undefined;
  const job: TlsSetupJob = {
    kind: "tls-setup",
    client: cell.client,
    host: target.host,
    port: proxyPort ?? target.port,
    ca: target.ca,
    auth: target.auth,
    warmup: 2,
    rounds: config.tlsRounds,
  };
  try {
    const outcome = (await runClientProcess(job, {
      onWarm: async () => {},
      cpuProfDir: config.cpuProfDir,
      source: config.source,
      label: `tls-${cell.client}-TLS${cell.tls}-D${cell.delayMs}-rep${cell.rep}`,
      timeoutMs: 120_000,
      nodeFlags: cell.tls === "1.2" ? ["--tls-max-v1.2"] : [],
    })) as TlsSetupOutcome;
    const done = Math.max(outcome.setupMs.length, 1);
    return {
      ...cell,
      setupMs: spread(outcome.setupMs).median,
      cpuMs: (outcome.cpuUserUs + outcome.cpuSystemUs) / 1000 / done,
      rounds: outcome.setupMs.length,
      problems:
        outcome.failed > 0 ? [`${outcome.failed} set-ups failed: ${outcome.firstError}`] : [],
    };
  } catch (error) {
    const nan = Number.NaN;
    return { ...cell, setupMs: nan, cpuMs: nan, rounds: 0, problems: [String(error)] };
  } finally {
    if (proxyPort !== undefined) await server.closeProxy(proxyPort);
  }
}

/** One row: a client at one delay and TLS version, over the repetitions. @since 0.2.0 */
export interface TlsSetupRow {
  delayMs: number;
  tls: "1.3" | "1.2";
  client: TlsSetupClient;
  setupMs: Spread;
  cpuMs: Spread;
  /** Set-up time ÷ nodemailer's, same cell and repetition. */
  vsNodemailer: Spread;
  /** Set-up time ÷ @smtp's without resumption, same cell and repetition. */
  vsFull: Spread;
}

/** Medians over repetitions. @since 0.2.0 */
export function summarizeTlsSetup(runs: readonly TlsSetupRun[]): TlsSetupRow[] {
  const peer = (run: TlsSetupRun, client: TlsSetupClient) =>
    runs.find(
      (r) =>
        r.client === client && r.rep === run.rep && r.delayMs === run.delayMs && r.tls === run.tls,
    );
  const ratio = (group: TlsSetupRun[], client: TlsSetupClient) =>
    spread(
      group.flatMap((run) => {
        const other = peer(run, client);
        return other && other !== run ? [run.setupMs / other.setupMs] : [];
      }),
    );
  return groupBy(runs, (r) => `${r.delayMs}|${r.tls}|${r.client}`).map((group) => {
    const first = group[0]!;
    return {
      delayMs: first.delayMs,
      tls: first.tls,
      client: first.client,
      setupMs: spread(group.map((r) => r.setupMs)),
      cpuMs: spread(group.map((r) => r.cpuMs)),
      vsNodemailer: ratio(group, "nodemailer"),
      vsFull: ratio(group, "smtp-full"),
    };
  });
}

/** The Markdown table. @since 0.2.0 */
export function tlsSetupTable(rows: readonly TlsSetupRow[]): string {
  return table(
    ["RTT ms", "TLS", "client", "set-up ms", "× nodemailer", "× without resumption", "CPU ms"],
    rows.map((r) => [
      String(2 * r.delayMs),
      r.tls,
      LABELS[r.client],
      fmtSpread(r.setupMs, 1),
      fmtSpread(r.vsNodemailer, 2),
      fmtSpread(r.vsFull, 2),
      fmt(r.cpuMs.median, 2),
    ]),
  );
}
