/**
 * `pnpm bench:queue`: @smtp/queue's throughput with 1, 2 and 3 worker processes against
 * one process using @smtp/client directly, and the duplicates left by SIGKILLs. The sink is
 * smtp-server in this process (no TLS, loopback), counting messages by Message-ID; Redis is
 * the one `scripts/redis-server.sh` starts (`REDIS_URL`). Prints a Markdown report.
 *
 *   pnpm bench:queue [--messages 5000] [--reps 3] [--chaos-rounds 3] [--chaos-messages 10000]
 */
import { fork } from "node:child_process";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { runProof } from "../packages/queue/test/proof.ts";
import { uniqueName } from "../packages/queue/test/redis.ts";
import { type Sink, startSink } from "../packages/queue/test/sink.ts";

const { values: args } = parseArgs({
  options: {
    messages: { type: "string", default: "5000" },
    reps: { type: "string", default: "3" },
    "chaos-rounds": { type: "string", default: "3" },
    "chaos-messages": { type: "string", default: "10000" },
  },
});
const N = Number(args.messages);
const REPS = Number(args.reps);
const CONCURRENCY = 20;
const POOL = 5;
const REDIS_URL = process.env.REDIS_URL;
if (!REDIS_URL) throw new Error("REDIS_URL is not set: run through `pnpm bench:queue`");
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const log = (text: string) => process.stderr.write(`${text}\n`);

const delivered = (sink: Sink, run: string) =>
  [...sink.copies.keys()].filter((id) => id.startsWith(`<${run}-`)).length;

async function direct(sink: Sink): Promise<number> {
  const run = uniqueName("direct");
  const child = fork(fileURLToPath(new URL("./queue-direct.ts", import.meta.url)), [], {
    cwd: ROOT,
    execArgv: ["--conditions=source", "--import", "tsx"],
    env: {
      ...process.env,
      SMTP_PORT: String(sink.port),
      MESSAGES: String(N),
      RUN: run,
      POOL_CONNECTIONS: String(POOL),
      IN_FLIGHT: String(CONCURRENCY),
    },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const { seconds } = await new Promise<{ seconds: number }>((resolve) =>
    child.once("message", resolve),
  );
  if (delivered(sink, run) !== N)
    throw new Error(`direct: ${delivered(sink, run)} of ${N} delivered`);
  return N / seconds;
}

/** End to end: from the first enqueueMany until the sink has every message. */
async function queued(sink: Sink, workers: number): Promise<{ rate: number; enqueueRate: number }> {
  const proof = { sink, redisUrl: REDIS_URL!, label: `bench${workers}`, messages: N };
  const r = await runProof({
    ...proof,
    workers,
    concurrency: CONCURRENCY,
    poolConnections: POOL,
    kills: 0,
  });
  if (r.delivered !== N || r.duplicates !== 0) throw new Error(`queue: ${JSON.stringify(r)}`);
  return { rate: N / r.seconds, enqueueRate: N / r.enqueueSeconds };
}

/** One chaos round: 3 workers, 3 SIGKILLs at seeded random points, replacements started. */
function chaos(sink: Sink, n: number, seed: number) {
  return runProof({
    sink,
    redisUrl: REDIS_URL!,
    label: "chaos",
    messages: n,
    workers: 3,
    concurrency: CONCURRENCY,
    poolConnections: POOL,
    kills: 3,
    seed,
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (x: number) => Math.round(x).toLocaleString("en-US");
const range = (xs: number[]) =>
  `${fmt(median(xs))} (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})`;

const sink = await startSink();
const startedAt = new Date();
const load = os.loadavg()[0]!.toFixed(1);
const rows: { label: string; rates: number[]; enqueue?: number[] }[] = [
  { label: "@smtp/client directly, 1 process", rates: [] },
  { label: "@smtp/queue, 1 worker process", rates: [], enqueue: [] },
  { label: "@smtp/queue, 2 worker processes", rates: [], enqueue: [] },
  { label: "@smtp/queue, 3 worker processes", rates: [], enqueue: [] },
];
for (let rep = 0; rep < REPS; rep++) {
  log(`rep ${rep + 1}/${REPS}: direct`);
  rows[0]!.rates.push(await direct(sink));
  for (const workers of [1, 2, 3]) {
    log(`rep ${rep + 1}/${REPS}: ${workers} worker(s)`);
    const { rate, enqueueRate } = await queued(sink, workers);
    rows[workers]!.rates.push(rate);
    rows[workers]!.enqueue!.push(enqueueRate);
  }
}
const rounds = [];
for (let round = 0; round < Number(args["chaos-rounds"]); round++) {
  log(`chaos round ${round + 1}`);
  rounds.push(await chaos(sink, Number(args["chaos-messages"]), 1000 + round));
}
await sink.close();

const out: string[] = [];
out.push(
  `### @smtp/queue throughput (${startedAt.toISOString().slice(0, 16)}Z, load average ${load} at start)`,
  "",
);
out.push(
  `N = ${N} small text messages per measurement, ${REPS} repetitions, median (min–max). Each worker: concurrency ${CONCURRENCY}, one @smtp/client pool of ${POOL} connections; the direct process keeps ${CONCURRENCY} sends in flight on the same pool. End to end: from the first \`enqueueMany\` to the last message at the sink.`,
  "",
);
out.push("| sender | msgs/s | enqueue msgs/s |", "| --- | --- | --- |");
for (const row of rows)
  out.push(`| ${row.label} | ${range(row.rates)} | ${row.enqueue ? range(row.enqueue) : "–"} |`);
if (rounds.length > 0) {
  out.push(
    "",
    `### Duplicates under SIGKILL (3 worker processes, 3 kills per round, ${args["chaos-messages"]} messages)`,
    "",
  );
  out.push("| round | lost | duplicates | failed | seconds |", "| --- | --- | --- | --- | --- |");
  const n = Number(args["chaos-messages"]);
  for (const [i, r] of rounds.entries()) {
    out.push(
      `| ${i + 1} | ${n - r.delivered} | ${r.duplicates} | ${r.failed} | ${r.seconds.toFixed(1)} |`,
    );
  }
  const total = rounds.reduce((a, r) => a + r.duplicates, 0);
  out.push(
    "",
    `Total: ${total} duplicates in ${rounds.length * 3} kills (${(total / (rounds.length * 3)).toFixed(1)} per kill).`,
  );
}
console.log(out.join("\n"));
