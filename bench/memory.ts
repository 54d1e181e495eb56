/**
 * Memory under load, beside nodemailer and the raw client: 1,000 `send()` calls made at
 * once on a pool of 5 (the raw client: one connection) and the highest RSS until all are
 * settled; and a soak of many messages in a row (100,000 in the full run) with the heap
 * after a full GC at the start and after every tenth of them: growth would be a leak.
 */
import type { BenchConfig, ClientName } from "./config.ts";
import { runClientProcess, type ServerHandle } from "./processes.ts";
import type { MemoryOutcome } from "./protocol.ts";
import { clientLabel, table } from "./report.ts";
import { fmt, fmtSpread, groupBy, type Spread, seconds, spread } from "./stats.ts";

/** One memory measurement. @since 0.2.0 */
export interface MemoryRun {
  rep: number;
  mode: "concurrent" | "soak";
  client: ClientName;
  count: number;
  sent: number;
  wallMs: number;
  /** `concurrent`: peak RSS − RSS before, MB. */
  extraRssMB: number;
  /** `soak`: heap after GC at the end − at the start, MB; and the largest step up between tenths. */
  heapGrowthMB: number;
  heapStartMB: number;
  /** `soak`: heap after GC at the start and after each tenth, MB. */
  heapMB: number[];
  problems: string[];
}

/** The clients of each memory case: pools of 5 for the concurrent sends, one connection for the soak. @since 0.2.0 */
export function memoryClients(mode: "concurrent" | "soak"): ClientName[] {
  return mode === "concurrent"
    ? ["smtp-pool5", "nm-pool5", "raw-pool1"]
    : ["smtp-pool1", "nm-pool1", "raw-pool1"];
}

/**
 * Measures one case for one client in a fresh process against the sink.
 *
 * @since 0.2.0
 */
export async function measureMemory(
  server: ServerHandle,
  config: BenchConfig,
  cell: { rep: number; mode: "concurrent" | "soak"; client: ClientName },
): Promise<MemoryRun> {
  const count = cell.mode === "concurrent" ? config.concurrentSends : config.soakMessages;
  await server.reset({
    store: "memory",
    sampleEvery: count + 1,
    sampleMax: 0,
    throttleBytesPerSec: 0,
  });
  const base = { ...cell, count };
  try {
    const outcome = (await runClientProcess(
      { kind: "memory", mode: cell.mode, client: cell.client, port: server.sinkPort, count },
      {
        onWarm: async () => {},
        cpuProfDir: undefined,
        source: config.source,
        label: `memory-${cell.mode}-${cell.client}-rep${cell.rep}`,
        timeoutMs: 900_000,
      },
    )) as MemoryOutcome;
    const heap = outcome.heapBytes ?? [];
    const problems =
      outcome.failed > 0 ? [`${outcome.failed} sends failed: ${outcome.firstError}`] : [];
    return {
      ...base,
      sent: outcome.sent,
      wallMs: outcome.wallMs,
      extraRssMB:
        outcome.rssPeak !== undefined && outcome.rssBefore !== undefined
          ? (outcome.rssPeak - outcome.rssBefore) / 1e6
          : Number.NaN,
      heapGrowthMB: heap.length > 1 ? (heap[heap.length - 1]! - heap[0]!) / 1e6 : Number.NaN,
      heapStartMB: heap.length > 0 ? heap[0]! / 1e6 : Number.NaN,
      heapMB: heap.map((b) => b / 1e6),
      problems,
    };
  } catch (error) {
    const nan = Number.NaN;
    return {
      ...base,
      sent: 0,
      wallMs: nan,
      extraRssMB: nan,
      heapGrowthMB: nan,
      heapStartMB: nan,
      heapMB: [],
      problems: [String(error)],
    };
  }
}

/** One row of the memory table. @since 0.2.0 */
export interface MemoryRow {
  mode: "concurrent" | "soak";
  client: ClientName;
  count: number;
  wallMs: Spread;
  extraRssMB: Spread;
  heapGrowthMB: Spread;
  heapStartMB: Spread;
  sent: number;
  problems: number;
}

/** Medians over repetitions. @since 0.2.0 */
export function summarizeMemory(runs: readonly MemoryRun[]): MemoryRow[] {
  return groupBy(runs, (r) => `${r.mode}|${r.client}`).map((group) => {
    const first = group[0]!;
    return {
      mode: first.mode,
      client: first.client,
      count: first.count,
      wallMs: spread(group.map((r) => r.wallMs)),
      extraRssMB: spread(group.map((r) => r.extraRssMB)),
      heapGrowthMB: spread(group.map((r) => r.heapGrowthMB)),
      heapStartMB: spread(group.map((r) => r.heapStartMB)),
      sent: group.reduce((a, r) => a + r.sent, 0),
      problems: group.reduce((a, r) => a + r.problems.length, 0),
    };
  });
}

/** The Markdown table. @since 0.2.0 */
export function memoryTable(rows: readonly MemoryRow[]): string {
  return table(
    ["case", "client", "wall s", "extra RSS MB", "heap after GC: start MB", "growth MB", "sent"],
    rows.map((r) => [
      r.mode === "concurrent"
        ? `${fmt(r.count, 0)} send() at once`
        : `${fmt(r.count, 0)} messages in a row`,
      clientLabel(r.client),
      fmtSpread(seconds(r.wallMs), 2),
      fmtSpread(r.extraRssMB, 1),
      fmt(r.heapStartMB.median, 1),
      fmtSpread(r.heapGrowthMB, 2),
      r.problems > 0 ? `${r.sent} ✗ (${r.problems} problems)` : `${r.sent} ✓`,
    ]),
  );
}
