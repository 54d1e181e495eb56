/**
 * `pnpm bench --servers postfix,exim,smtp-server`: round trips per message and messages/s
 * on one connection at RTT 40 ms, @smtp beside nodemailer, against real servers. The
 * delaying proxy (in the bench's server process) sits in front of each server; each
 * measurement is a fresh client process, as in the usual run. Postfix and Exim are the
 * interop matrix's peers (`pnpm interop`, or `bash interop/peers/setup.sh`); smtp-server is
 * the bench's own sink.
 *
 * The recipients are ones each server accepts and throws away, so no mailbox fills up:
 * Postfix relays to another domain after AUTH (cleartext AUTH on its no-TLS port, loopback
 * only) into its `discard` transport; Exim drops `discard.test` (:blackhole:).
 */
import { join } from "node:path";
import { readEnvFile, required, requiredNumber } from "../interop/src/env-file.ts";
import { type Library, libraryOf } from "./clients.ts";
import type { BenchConfig, ClientName, RealServerName } from "./config.ts";
import { warmupFor } from "./measure.ts";
import { runClientProcess, type ServerHandle } from "./processes.ts";
import type { ServerSnapshot, ThroughputOutcome } from "./protocol.ts";
import { measuredRtt } from "./proxy.ts";
import { clientLabel, counterpart } from "./report.ts";
import { fmt, fmtSpread, groupBy, type Spread, spread } from "./stats.ts";

/** Where one real server is and what the clients send it. @since 0.1.0 */
export interface RealTarget {
  name: RealServerName;
  /** Its TCP port on 127.0.0.1 (plaintext). */
  port: number;
  to: string[];
  auth: { user: string; pass: string } | undefined;
  /** The bench's own sink: its message count is checked too. */
  isSink: boolean;
}

/** One measurement: one client, one server, one delay, one repetition. @since 0.1.0 */
export interface RealServerRun {
  rep: number;
  server: RealServerName;
  client: ClientName;
  /** The in-flight window asked of @smtp (`pool.maxInFlight`) or the raw client; none for nodemailer. */
  maxInFlight: number | undefined;
  library: Library;
  delayMs: number;
  n: number;
  sent: number;
  failed: number;
  wallMs: number;
  msgsPerSec: number;
  /** (ms per message) ÷ RTT. */
  rttPerMsg: number;
  /** (ms per message) ÷ the round trip the proxy really imposed (timers fire late). */
  measuredRttPerMsg: number;
  /** The client's bursts per message at the proxy: how often it waited for the server. */
  waitsPerMsg: number;
  /** Client→server chunks per message at the proxy. */
  writesPerMsg: number;
  /** Client CPU per message, µs (inflated by wake-ups at D > 0). */
  cpuUsPerMsg: number;
  /** Connections the client opened during the timed part (a new one after 100 messages). */
  connections: number;
  problems: string[];
}

/**
 * The targets named in `names`: Postfix from `$SMTP_STATE/env`, Exim from
 * `$INTEROP_STATE/exim/env`, smtp-server the sink. Throws when a server is not set up.
 *
 * @since 0.1.0
 */
export async function realTargets(
  names: readonly RealServerName[],
  sinkPort: number,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<RealTarget[]> {
  const smtpState = env.SMTP_STATE ?? "/var/lib/smtp-test-peer";
  const interopState = env.INTEROP_STATE ?? join(smtpState, "interop");
  const load = async (file: string) => {
    const loaded = await readEnvFile(file);
    if (loaded === undefined)
      throw new Error(`${file} is missing: run bash interop/peers/setup.sh`);
    return loaded;
  };
  const targets: RealTarget[] = [];
  for (const name of names) {
    if (name === "postfix") {
      const postfix = await load(join(smtpState, "env"));
      targets.push({
        name,
        port: requiredNumber(postfix, "SMTP_PLAIN_PORT"),
        to: ["bench@elsewhere.test"],
        auth: { user: required(postfix, "SMTP_USER"), pass: required(postfix, "SMTP_PASS") },
        isSink: false,
      });
    } else if (name === "exim") {
      const exim = await load(join(interopState, "exim", "env"));
      targets.push({
        name,
        port: requiredNumber(exim, "EXIM_PORT"),
        to: ["bench@discard.test"],
        auth: undefined,
        isSink: false,
      });
    } else {
      targets.push({
        name,
        port: sinkPort,
        to: ["rcpt1@bench.test"],
        auth: undefined,
        isSink: true,
      });
    }
  }
  return targets;
}

/**
 * Measures one client against one target through a proxy adding `delayMs` each way.
 *
 * @since 0.1.0
 */
export async function measureRealServer(
  server: ServerHandle,
  config: BenchConfig,
  target: RealTarget,
  cell: { rep: number; delayMs: number; client: ClientName; maxInFlight: number | undefined },
): Promise<RealServerRun> {
  // Without delay, straight to the server (no proxy): the figures are CPU-bound there.
  const n = cell.delayMs > 0 ? config.nDelayed : config.n;
  const warmup = cell.delayMs > 0 ? warmupFor(n, cell.delayMs) : Math.min(500, n);
  const proxyPort =
    cell.delayMs > 0 ? await server.openProxy(cell.delayMs, target.port) : undefined;
  const base = { ...cell, server: target.name, library: libraryOf(cell.client), n };
  let before: ServerSnapshot | undefined;
  try {
    const outcome = (await runClientProcess(
      {
        kind: "throughput",
        client: cell.client,
        port: proxyPort ?? target.port,
        recipients: target.to.length,
        warmup,
        n,
        timeCapMs: config.timeCapMs,
        to: target.to,
        ...(target.auth === undefined ? {} : { auth: target.auth }),
        sendsInFlight: config.sendsInFlight,
        ...(cell.maxInFlight === undefined ? {} : { maxInFlight: cell.maxInFlight }),
      },
      {
        onWarm: async () => {
          before = await server.snapshot();
        },
        cpuProfDir: config.cpuProfDir,
        source: config.source,
        label: `${cell.client}-w${cell.maxInFlight ?? "nm"}-${target.name}-D${cell.delayMs}-rep${cell.rep}`,
        timeoutMs: config.timeCapMs + 120_000,
      },
    )) as ThroughputOutcome;
    const after = await server.snapshot();
    if (!before) throw new Error("the client never reported warm");
    const p0 = proxyPort === undefined ? undefined : before.proxies[proxyPort];
    const p1 = proxyPort === undefined ? undefined : after.proxies[proxyPort];
    const sent = Math.max(outcome.sent, 1);
    const problems: string[] = [];
    if (outcome.failed > 0) problems.push(`${outcome.failed} sends failed: ${outcome.firstError}`);
    const sinkGot = after.sink.messages - before.sink.messages;
    if (target.isSink && sinkGot !== outcome.sent) {
      problems.push(`client reported ${outcome.sent} sent, sink received ${sinkGot}`);
    }
    return {
      ...base,
      sent: outcome.sent,
      failed: outcome.failed,
      wallMs: outcome.wallMs,
      msgsPerSec: (outcome.sent * 1000) / outcome.wallMs,
      rttPerMsg: cell.delayMs > 0 ? outcome.wallMs / sent / (2 * cell.delayMs) : Number.NaN,
      measuredRttPerMsg: p0 && p1 ? outcome.wallMs / sent / measuredRtt(p0, p1) : Number.NaN,
      waitsPerMsg: p0 && p1 ? (p1.clientBursts - p0.clientBursts) / sent : Number.NaN,
      writesPerMsg: p0 && p1 ? (p1.clientReads - p0.clientReads) / sent : Number.NaN,
      cpuUsPerMsg: (outcome.cpuUserUs + outcome.cpuSystemUs) / sent,
      connections: p0 && p1 ? p1.connections - p0.connections : 0,
      problems,
    };
  } catch (error) {
    const nan = Number.NaN;
    return {
      ...base,
      sent: 0,
      failed: n,
      wallMs: nan,
      msgsPerSec: nan,
      rttPerMsg: nan,
      measuredRttPerMsg: nan,
      waitsPerMsg: nan,
      writesPerMsg: nan,
      cpuUsPerMsg: nan,
      connections: 0,
      problems: [`measurement failed: ${String(error)}`],
    };
  } finally {
    if (proxyPort !== undefined) await server.closeProxy(proxyPort);
  }
}

/** One row of the real-server table. @since 0.1.0 */
export interface RealServerRow {
  server: RealServerName;
  delayMs: number;
  client: ClientName;
  maxInFlight: number | undefined;
  msgsPerSec: Spread;
  /** msgs/s ÷ nodemailer's, same server, delay and repetition (on @smtp rows). */
  speedRatio: Spread;
  rttPerMsg: Spread;
  measuredRttPerMsg: Spread;
  waitsPerMsg: Spread;
  writesPerMsg: Spread;
  cpuUsPerMsg: Spread;
  sent: number;
  failed: number;
}

/** Medians over repetitions, per server, delay and client. @since 0.1.0 */
export function summarizeRealServers(runs: readonly RealServerRun[]): RealServerRow[] {
  return groupBy(runs, (r) => `${r.server}|${r.delayMs}|${r.client}|${r.maxInFlight}`).map(
    (group) => {
      const first = group[0]!;
      const ratios = group.flatMap((run) => {
        const peer = runs.find(
          (r) =>
            r.client === counterpart(run.client) &&
            run.client !== r.client &&
            r.server === run.server &&
            r.delayMs === run.delayMs &&
            r.rep === run.rep,
        );
        return peer ? [run.msgsPerSec / peer.msgsPerSec] : [];
      });
      return {
        server: first.server,
        delayMs: first.delayMs,
        client: first.client,
        maxInFlight: first.maxInFlight,
        msgsPerSec: spread(group.map((r) => r.msgsPerSec)),
        speedRatio: spread(ratios),
        rttPerMsg: spread(group.map((r) => r.rttPerMsg)),
        measuredRttPerMsg: spread(group.map((r) => r.measuredRttPerMsg)),
        waitsPerMsg: spread(group.map((r) => r.waitsPerMsg)),
        writesPerMsg: spread(group.map((r) => r.writesPerMsg)),
        cpuUsPerMsg: spread(group.map((r) => r.cpuUsPerMsg)),
        sent: group.reduce((a, r) => a + r.sent, 0),
        failed: group.reduce((a, r) => a + r.failed, 0),
      };
    },
  );
}

/** The Markdown table of the real-server mode. @since 0.1.0 */
export function realServerTable(rows: readonly RealServerRow[]): string {
  const header = [
    "server",
    "RTT ms",
    "client",
    "msgs/s",
    "× nm msgs/s",
    "RTT/msg",
    "RTT/msg (measured RTT)",
    "waits/msg",
    "c→s writes/msg",
    "CPU µs/msg",
    "sent (failed)",
  ];
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [
    line(header),
    line(header.map(() => "---")),
    ...rows.map((r) =>
      line([
        r.server,
        String(2 * r.delayMs),
        clientLabel(r.client) + (r.maxInFlight === undefined ? "" : `, window ${r.maxInFlight}`),
        fmtSpread(r.msgsPerSec),
        fmtSpread(r.speedRatio, 2),
        fmtSpread(r.rttPerMsg, 2),
        fmtSpread(r.measuredRttPerMsg, 2),
        fmt(r.waitsPerMsg.median, 2),
        fmt(r.writesPerMsg.median, 2),
        fmtSpread(r.cpuUsPerMsg, 0),
        `${r.sent}${r.failed > 0 ? ` (${r.failed} failed)` : ""}`,
      ]),
    ),
  ].join("\n");
}
