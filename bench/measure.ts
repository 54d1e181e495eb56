/**
 * One measurement each: start a fresh client process, snapshot the server's counters when
 * the client is warm and again when it is done, check what the sink received.
 */
import { mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { type TestKey, testKey, verifyWithMailauth } from "../tools/dkim-verify/src/index.ts";
import { connectionsOf, DKIM_DOMAIN, DKIM_SELECTOR, type Library, libraryOf } from "./clients.ts";
import type { BenchConfig, ClientName } from "./config.ts";
import { runClientProcess, type ServerHandle } from "./processes.ts";
import type {
  AttachmentOutcome,
  AttachmentSource,
  ServerSnapshot,
  ThroughputOutcome,
} from "./protocol.ts";
import { measuredRtt, type ProxyCounters } from "./proxy.ts";
import { checkAttachment, checkTextSample } from "./verify.ts";

/** One throughput measurement. @since 0.1.0 */
export interface ThroughputRun {
  rep: number;
  delayMs: number;
  recipients: number;
  client: ClientName;
  library: Library;
  connections: number;
  /** Messages asked for in the timed part. */
  n: number;
  warmup: number;
  /** Messages delivered in the timed part (fewer than `n` when the time cap hit). */
  sent: number;
  failed: number;
  firstError?: string;
  /** Messages the sink received during the timed part. */
  sinkMessages: number;
  wallMs: number;
  msgsPerSec: number;
  /** Client CPU (user + system) per message, µs. */
  cpuUsPerMsg: number;
  /** Sink process CPU per message, µs (includes the proxy when there is one). */
  serverCpuUsPerMsg: number;
  /** (ms per message) ÷ RTT; NaN at D = 0. */
  rttPerMsg: number;
  /** The round trip the proxy really imposed (timers fire late), ms; NaN at D = 0. */
  measuredRttMs: number;
  /** (ms per message) ÷ the measured round trip; NaN at D = 0. */
  measuredRttPerMsg: number;
  /** Client→server chunks per message, read at the proxy (D > 0) or at the sink (D = 0). */
  writesPerMsg: number;
  /** Client bursts (waits for the server) per message; proxy only. */
  waitsPerMsg: number;
  /** Command lines per message at the sink (MAIL, RCPT, DATA, plus EHLO/QUIT on reconnects). */
  commandsPerMsg: number;
  /** Command counts over the timed part. */
  commands: Record<string, number>;
  /** Connections the sink accepted during the timed part (replacements after 100 messages). */
  connectionsOpened: number;
  checked: number;
  problems: string[];
}

/** One large-attachment measurement. @since 0.1.0 */
export interface AttachmentRun {
  rep: number;
  /** e.g. "50 MiB bytes", "50 MiB stream, sink 20 MiB/s", "encode only 50 MiB bytes". */
  case: string;
  sizeMiB: number;
  source: AttachmentSource;
  encodeOnly: boolean;
  throttleMiBps: number;
  /** Signed with DKIM. */
  dkim: boolean;
  client: ClientName;
  library: Library;
  ok: boolean;
  error?: string;
  wallMs: number;
  cpuMs: number;
  /** Peak RSS − RSS before the timed part, MB (10^6 bytes). */
  extraRssMB: number;
  rssBeforeMB: number;
  /** Attachment MiB per second of wall time. */
  mibPerSec: number;
  /** Bytes on the wire (or produced, encode-only). */
  messageBytes: number;
  checked: number;
  /** 1 when the DKIM signature of what the sink received verified (mailauth). */
  dkimChecked: number;
  problems: string[];
}

function delta(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const d = (b[key] ?? 0) - (a[key] ?? 0);
    if (d !== 0) out[key] = d;
  }
  return out;
}

function cpuOf(s: ServerSnapshot): number {
  return s.cpu.user + s.cpu.system;
}

/**
 * Untimed messages before the timed part. Without delay the clients are CPU-bound, and the
 * timed part must find their code compiled (a JIT warm-up of a few hundred messages);
 * through the proxy a few suffice, since round trips dominate there.
 *
 * @since 0.2.0
 */
export function warmupFor(n: number, delayMs: number): number {
  return delayMs > 0 ? Math.max(1, Math.min(50, Math.floor(n / 10))) : STEADY_WARMUP;
}

/**
 * Untimed messages at D = 0, whatever N: V8 keeps compiling the clients' code for the first
 * few thousand messages (one process measured 330 µs of CPU per message right after 1,000
 * messages, 200 after 3,000 and 150 after 6,000), and the figures are meant for a running
 * sender, not for its first second.
 */
const STEADY_WARMUP = 3000;

/** Keeps about `sample` of `total` messages: every k-th. */
function sampleEvery(total: number, sample: number): number {
  return sample <= 0 ? total + 1 : Math.max(1, Math.floor(total / sample));
}

/**
 * Measures one throughput cell for one client in a fresh process.
 *
 * @since 0.1.0
 */
export async function measureThroughput(
  server: ServerHandle,
  config: BenchConfig,
  cell: { rep: number; delayMs: number; recipients: number; client: ClientName },
): Promise<ThroughputRun> {
  const n = cell.delayMs > 0 ? config.nDelayed : config.n;
  const warmup = warmupFor(n, cell.delayMs);
  await server.reset({
    store: "memory",
    sampleEvery: sampleEvery(warmup + n, config.sample),
    sampleMax: config.sample,
    throttleBytesPerSec: 0,
  });
  const proxyPort = cell.delayMs > 0 ? await server.openProxy(cell.delayMs) : undefined;
  let before: ServerSnapshot | undefined;
  const base = {
    ...cell,
    library: libraryOf(cell.client),
    connections: connectionsOf(cell.client),
    n,
    warmup,
  };
  try {
    const outcome = (await runClientProcess(
      {
        kind: "throughput",
        client: cell.client,
        port: proxyPort ?? server.sinkPort,
        recipients: cell.recipients,
        warmup,
        n,
        timeCapMs: config.timeCapMs,
      },
      {
        onWarm: async () => {
          before = await server.snapshot();
        },
        cpuProfDir: config.cpuProfDir,
        source: config.source,
        label: `${cell.client}-D${cell.delayMs}-R${cell.recipients}-rep${cell.rep}`,
        timeoutMs: config.timeCapMs + 120_000,
      },
    )) as ThroughputOutcome;
    const after = await server.snapshot();
    if (!before) throw new Error("the client never reported warm");
    const sent = Math.max(outcome.sent, 1);
    const proxy = (s: ServerSnapshot): ProxyCounters | undefined =>
      proxyPort === undefined ? undefined : s.proxies[proxyPort];
    const pBefore = proxy(before);
    const pAfter = proxy(after);
    const commands = delta(before.sink.commands, after.sink.commands);
    const commandTotal = Object.values(commands).reduce((a, b) => a + b, 0);
    const msPerMsg = outcome.wallMs / sent;
    const check = await checkTextSample(await server.stored(), cell.recipients);
    const problems = [...check.problems];
    const sinkMessages = after.sink.messages - before.sink.messages;
    if (outcome.failed > 0) problems.push(`${outcome.failed} sends failed: ${outcome.firstError}`);
    if (sinkMessages !== outcome.sent) {
      problems.push(`client reported ${outcome.sent} sent, sink received ${sinkMessages}`);
    }
    if (after.sink.messages !== warmup + outcome.sent) {
      problems.push(`sink received ${after.sink.messages}, expected ${warmup + outcome.sent}`);
    }
    return {
      ...base,
      sent: outcome.sent,
      failed: outcome.failed,
      ...(outcome.firstError === undefined ? {} : { firstError: outcome.firstError }),
      sinkMessages,
      wallMs: outcome.wallMs,
      msgsPerSec: (outcome.sent * 1000) / outcome.wallMs,
      cpuUsPerMsg: (outcome.cpuUserUs + outcome.cpuSystemUs) / sent,
      serverCpuUsPerMsg: (cpuOf(after) - cpuOf(before)) / sent,
      rttPerMsg: cell.delayMs > 0 ? msPerMsg / (2 * cell.delayMs) : Number.NaN,
      measuredRttMs: pBefore && pAfter ? measuredRtt(pBefore, pAfter) : Number.NaN,
      measuredRttPerMsg: pBefore && pAfter ? msPerMsg / measuredRtt(pBefore, pAfter) : Number.NaN,
      writesPerMsg:
        pBefore && pAfter
          ? (pAfter.clientReads - pBefore.clientReads) / sent
          : (after.sink.reads - before.sink.reads) / sent,
      waitsPerMsg:
        pBefore && pAfter ? (pAfter.clientBursts - pBefore.clientBursts) / sent : Number.NaN,
      commandsPerMsg: commandTotal / sent,
      commands,
      connectionsOpened: after.sink.connections - before.sink.connections,
      checked: check.checked,
      problems,
    };
  } catch (error) {
    // A crashed or stuck client process is a result too: recorded, and the run goes on.
    const nan = Number.NaN;
    return {
      ...base,
      sent: 0,
      failed: n,
      firstError: String(error),
      sinkMessages: 0,
      wallMs: nan,
      msgsPerSec: nan,
      cpuUsPerMsg: nan,
      serverCpuUsPerMsg: nan,
      rttPerMsg: nan,
      measuredRttMs: nan,
      measuredRttPerMsg: nan,
      writesPerMsg: nan,
      waitsPerMsg: nan,
      commandsPerMsg: nan,
      commands: {},
      connectionsOpened: 0,
      checked: 0,
      problems: [`measurement failed: ${String(error)}`],
    };
  } finally {
    if (proxyPort !== undefined) await server.closeProxy(proxyPort);
  }
}

/** A large-attachment case. @since 0.1.0 */
export interface AttachmentCase {
  sizeMiB: number;
  source: AttachmentSource;
  encodeOnly: boolean;
  throttleMiBps: number;
  /** Signed with DKIM (rsa-sha256, 2048-bit key), and the signature checked with mailauth. */
  dkim: boolean;
  file: string;
  sha256: string;
}

/** The case's label in tables. @since 0.1.0 */
export function caseLabel(c: Omit<AttachmentCase, "file" | "sha256">): string {
  const base = `${c.sizeMiB} MiB ${{ bytes: "Uint8Array", stream: "file stream", path: "file path" }[c.source]}`;
  if (c.encodeOnly) return `encode only, ${base}`;
  if (c.dkim) return `${base}, DKIM-signed`;
  return c.throttleMiBps > 0 ? `${base}, sink ${c.throttleMiBps} MiB/s` : base;
}

let dkimKey: TestKey | undefined;

/** The key of the DKIM-signed cases: one 2048-bit RSA key per run, made at first use. */
function benchDkimKey(): TestKey {
  dkimKey ??= testKey("rsa", 2048);
  return dkimKey;
}

/** Checks the DKIM signature of a stored message with mailauth (the key from a table, no DNS). */
async function checkDkim(file: string): Promise<string[]> {
  const results = await verifyWithMailauth(await readFile(file), {
    [`${DKIM_SELECTOR}._domainkey.${DKIM_DOMAIN}`]: benchDkimKey().record,
  });
  if (results.length === 1 && results[0]!.pass) return [];
  return [`DKIM: ${results.map((r) => r.detail).join("; ") || "no signature"}`];
}

/**
 * Measures one large-attachment case for one client in a fresh process, then checks the
 * attachment's SHA-256 in what the sink stored.
 *
 * @since 0.1.0
 */
export async function measureAttachment(
  server: ServerHandle,
  config: BenchConfig,
  c: AttachmentCase,
  rep: number,
  client: ClientName,
  workDir: string,
): Promise<AttachmentRun> {
  const dir = join(workDir, `recv-${client}-${rep}`);
  const spool = join(workDir, `spool-${client}-${rep}`);
  await mkdir(dir, { recursive: true });
  if (c.dkim) await mkdir(spool, { recursive: true });
  await server.reset({
    store: "file",
    dir,
    sampleEvery: 1,
    sampleMax: 0,
    throttleBytesPerSec: c.throttleMiBps * 1024 * 1024,
  });
  let before: ServerSnapshot | undefined;
  const base = {
    rep,
    case: caseLabel(c),
    sizeMiB: c.sizeMiB,
    source: c.source,
    encodeOnly: c.encodeOnly,
    throttleMiBps: c.throttleMiBps,
    dkim: c.dkim,
    client,
    library: libraryOf(client),
  };
  try {
    const outcome = (await runClientProcess(
      {
        kind: "attachment",
        client,
        port: c.encodeOnly ? 0 : server.sinkPort,
        file: c.file,
        source: c.source,
        encodeOnly: c.encodeOnly,
        ...(c.dkim ? { dkim: { privateKey: benchDkimKey().pkcs8, spool } } : {}),
      },
      {
        onWarm: async () => {
          before = await server.snapshot();
        },
        cpuProfDir: config.cpuProfDir,
        source: config.source,
        label: `${client}-${caseLabel(c).replace(/[^a-z0-9]+/gi, "-")}-rep${rep}`,
        // Generous: 200 MiB through a slow client, or a throttled sink.
        timeoutMs: 600_000,
      },
    )) as AttachmentOutcome;
    const after = await server.snapshot();
    const problems: string[] = [];
    let checked = 0;
    let dkimChecked = 0;
    if (!outcome.ok) problems.push(`send failed: ${outcome.error}`);
    let messageBytes = outcome.encodedBytes ?? 0;
    if (!c.encodeOnly && before) {
      messageBytes = after.sink.bytes - before.sink.bytes;
      const stored = (await server.stored()).filter((m) => m.file?.endsWith("msg-1.eml"));
      if (after.sink.messages !== 2)
        problems.push(`sink received ${after.sink.messages} messages, expected 2`);
      const file = stored[0]?.file;
      if (file) {
        const check = await checkAttachment(file, c.sha256);
        checked = check.checked;
        problems.push(...check.problems);
        if (c.dkim) {
          const dkimProblems = await checkDkim(file);
          problems.push(...dkimProblems);
          if (dkimProblems.length === 0) dkimChecked = 1;
        }
      } else {
        problems.push("the sink stored no timed message");
      }
    }
    return {
      ...base,
      ok: outcome.ok,
      ...(outcome.error === undefined ? {} : { error: outcome.error }),
      wallMs: outcome.wallMs,
      cpuMs: (outcome.cpuUserUs + outcome.cpuSystemUs) / 1000,
      extraRssMB: (outcome.rssPeak - outcome.rssBefore) / 1e6,
      rssBeforeMB: outcome.rssBefore / 1e6,
      mibPerSec: c.sizeMiB / (outcome.wallMs / 1000),
      messageBytes,
      checked,
      dkimChecked,
      problems,
    };
  } catch (error) {
    const nan = Number.NaN;
    return {
      ...base,
      ok: false,
      error: String(error),
      wallMs: nan,
      cpuMs: nan,
      extraRssMB: nan,
      rssBeforeMB: nan,
      mibPerSec: nan,
      messageBytes: 0,
      checked: 0,
      dkimChecked: 0,
      problems: [`measurement failed: ${String(error)}`],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
    await rm(spool, { recursive: true, force: true });
  }
}
