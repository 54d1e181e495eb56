/**
 * One measurement in a fresh process: warms the client up, tells the runner, waits for
 * "go", runs the timed part and reports wall time, its own CPU time and (for attachments)
 * memory. Started by bench/run.ts with the job as JSON in argv[2].
 */
import { randomBytes } from "node:crypto";
import { createReadStream, readFileSync, statSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";
import { dirname } from "node:path";
import MailComposer from "nodemailer/lib/mail-composer/index.js";
import {
  type BenchClient,
  type BenchMessage,
  connectionsOf,
  libraryOf,
  openClient,
} from "./clients.ts";
import { ATTACHMENT_NAME, FROM, recipients, textMessage } from "./fixtures.ts";
import { runMemory } from "./memory-client.ts";
import type {
  AttachmentJob,
  AttachmentOutcome,
  ClientJob,
  ClientOutcome,
  ThroughputJob,
  ThroughputOutcome,
} from "./protocol.ts";
import { base64Chunks, fileBlocks } from "./raw-client.ts";
import { loadMimeModule } from "./smtp-modules.ts";
import { runTlsSetup } from "./tls-setup-client.ts";

const send = process.send?.bind(process);
if (!send) throw new Error("bench/client-process.ts runs as a child process of bench/run.ts");

// The runner gone (finished, crashed or interrupted): stop at once rather than linger.
process.on("disconnect", () => process.exit(1));

/** `send()` calls outstanding per connection unless the job says otherwise, for every client. */
const IN_FLIGHT_PER_CONNECTION = 4;

/** Where to write a CPU profile of the timed part (set by the runner's `--cpu-prof`). */
const PROFILE = process.env.BENCH_PROFILE;
let profiler: Session | undefined;

async function waitForGo(): Promise<void> {
  await new Promise<void>((resolve) => {
    const onMessage = (message: { type?: string }) => {
      if (message.type !== "go") return;
      process.off("message", onMessage);
      resolve();
    };
    process.on("message", onMessage);
    send!({ type: "warm" });
  });
  if (PROFILE) {
    profiler = new Session();
    profiler.connect();
    await profiler.post("Profiler.enable");
    // 100 µs between samples (V8's default is 1 ms): a message costs ~200 µs of CPU, so
    // the default would give a 5,000-message profile only a few hundred samples.
    await profiler.post("Profiler.setSamplingInterval", { interval: 100 });
    await profiler.post("Profiler.start");
  }
}

const CONTEXT_SWITCHES = process.env.BENCH_CONTEXT_SWITCHES === "1";

/**
 * With BENCH_CONTEXT_SWITCHES=1, a diagnostic line on stderr for a throughput measurement's
 * timed part: context switches (involuntary: preempted while runnable; voluntary: waited
 * for input) and user/system CPU. A CPU profile samples wall-clock time, so a function the
 * process was preempted in looks slower than it is; these counts tell the two apart.
 */
function reportContextSwitches(client: string, before: NodeJS.ResourceUsage, wallMs: number): void {
  const after = process.resourceUsage();
  const line = [
    `context switches ${client}:`,
    `involuntary ${after.involuntaryContextSwitches - before.involuntaryContextSwitches},`,
    `voluntary ${after.voluntaryContextSwitches - before.voluntaryContextSwitches},`,
    `user ${((after.userCPUTime - before.userCPUTime) / 1000).toFixed(0)} ms,`,
    `system ${((after.systemCPUTime - before.systemCPUTime) / 1000).toFixed(0)} ms,`,
    `wall ${wallMs.toFixed(0)} ms`,
  ];
  process.stderr.write(`${line.join(" ")}\n`);
}

/** Ends the timed part: stops the profiler, if any, and writes its profile. */
async function timedPartDone(): Promise<void> {
  if (!profiler || !PROFILE) return;
  const { profile } = await profiler.post("Profiler.stop");
  await mkdir(dirname(PROFILE), { recursive: true });
  await writeFile(PROFILE, JSON.stringify(profile));
  profiler.disconnect();
}

interface PumpResult {
  sent: number;
  failed: number;
  firstError: string | undefined;
}

/**
 * Sends messages `first … first+count-1` keeping `window` sends in flight; stops issuing
 * new ones at `deadline` (performance.now() ms) and resolves when every issued one settled.
 */
function pump(
  client: BenchClient,
  first: number,
  count: number,
  window: number,
  rcpts: readonly string[],
  deadline: number,
): Promise<PumpResult> {
  const result: PumpResult = { sent: 0, failed: 0, firstError: undefined };
  let issued = 0;
  let active = 0;
  return new Promise((resolve) => {
    const launch = () => {
      while (active < window && issued < count && performance.now() < deadline) {
        const index = first + issued++;
        active++;
        client.send(textMessage(index, rcpts)).then(
          () => {
            result.sent++;
            settle();
          },
          (error: unknown) => {
            result.failed++;
            result.firstError ??= String(error);
            settle();
          },
        );
      }
      if (active === 0) resolve(result);
    };
    const settle = () => {
      active--;
      launch();
    };
    launch();
  });
}

async function runThroughput(job: ThroughputJob): Promise<ThroughputOutcome> {
  const client = await openClient(job.client, job.port, {
    auth: job.auth,
    maxInFlight: job.maxInFlight,
  });
  const rcpts = job.to ?? recipients(job.recipients);
  const window = job.sendsInFlight ?? IN_FLIGHT_PER_CONNECTION * connectionsOf(job.client);
  const warm = await pump(client, -job.warmup, job.warmup, window, rcpts, Infinity);
  if (warm.failed > 0) throw new Error(`warm-up failed: ${warm.firstError}`);
  await waitForGo();
  const cpu = process.cpuUsage();
  // Read only for the diagnostic: nothing extra at the edges of the timed part otherwise.
  const usage = CONTEXT_SWITCHES ? process.resourceUsage() : undefined;
  const started = performance.now();
  const timed = await pump(client, 0, job.n, window, rcpts, started + job.timeCapMs);
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  if (usage) reportContextSwitches(job.client, usage, wallMs);
  await timedPartDone();
  await client.close();
  return {
    type: "result",
    kind: "throughput",
    sent: timed.sent,
    failed: timed.failed,
    ...(timed.firstError === undefined ? {} : { firstError: timed.firstError }),
    wallMs,
    cpuUserUs: used.user,
    cpuSystemUs: used.system,
  };
}

function attachmentMessage(content: BenchMessage["attachments"] & object): BenchMessage {
  return {
    from: FROM,
    to: recipients(1),
    subject: "bench attachment",
    text: "See the attachment.\n",
    attachments: content,
  };
}

/** Encodes the message with the library alone (no network); resolves to the byte count. */
async function encodeOnly(job: AttachmentJob, message: BenchMessage): Promise<number> {
  let bytes = 0;
  if (libraryOf(job.client) === "raw") {
    // The limit: the attachment's chunked base64 alone.
    const a = message.attachments![0]!;
    for await (const chunk of base64Chunks(a.content ?? fileBlocks(a.path!))) bytes += chunk.length;
  } else if (libraryOf(job.client) === "smtp") {
    // As the client builds and reads it: files read into one refilled buffer (what
    // @smtp/client's reader does), blocks encoded into one reused buffer.
    const { createMessage } = await loadMimeModule();
    const built = createMessage(message, {
      now: new Date(),
      randomBytes: (n) => randomBytes(n),
      files: (path) => ({ size: statSync(path).size, open: () => fileBlocks(path) }),
    });
    for await (const chunk of built.stream({ reuseBuffers: true })) bytes += chunk.length;
  } else {
    const stream = new MailComposer(message as never).compile().createReadStream();
    for await (const chunk of stream as AsyncIterable<Buffer>) bytes += chunk.length;
  }
  return bytes;
}

async function runAttachment(job: AttachmentJob): Promise<AttachmentOutcome> {
  const bytes = job.source === "bytes" ? readFileSync(job.file) : undefined;
  const source = () =>
    job.source === "path"
      ? { path: job.file }
      : {
          content:
            bytes ??
            (createReadStream(job.file) as AsyncIterable<Uint8Array> & NodeJS.ReadableStream),
        };
  const message = () =>
    attachmentMessage([
      { filename: ATTACHMENT_NAME, ...source(), contentType: "application/octet-stream" },
    ]);
  const client = job.encodeOnly
    ? undefined
    : await openClient(job.client, job.port, { dkim: job.dkim });
  // Warm-up: open the connection (or run the encoder) once with a small attachment.
  const small = attachmentMessage([
    {
      filename: "warm.bin",
      content: new Uint8Array(64 * 1024),
      contentType: "application/octet-stream",
    },
  ]);
  if (client) await client.send(small);
  else await encodeOnly(job, small);
  await waitForGo();

  (globalThis as { gc?: () => void }).gc?.();
  const rssBefore = process.memoryUsage.rss();
  // The process's maxRSS counts only if the timed part raised it (not an earlier peak).
  const maxRssBefore = process.resourceUsage().maxRSS;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
  }, 5);
  const cpu = process.cpuUsage();
  const started = performance.now();
  let ok = true;
  let error: string | undefined;
  let encodedBytes: number | undefined;
  try {
    if (client) await client.send(message());
    else encodedBytes = await encodeOnly(job, message());
  } catch (e) {
    ok = false;
    error = String(e);
  }
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  clearInterval(sampler);
  await timedPartDone();
  // maxRSS (KiB) also catches a peak between two samples, e.g. inside one synchronous call,
  // when the timed part set it.
  const maxRss = process.resourceUsage().maxRSS;
  rssPeak = Math.max(rssPeak, process.memoryUsage.rss(), maxRss > maxRssBefore ? maxRss * 1024 : 0);
  await client?.close();
  return {
    type: "result",
    kind: "attachment",
    ok,
    ...(error === undefined ? {} : { error }),
    wallMs,
    cpuUserUs: used.user,
    cpuSystemUs: used.system,
    rssBefore,
    rssPeak,
    ...(encodedBytes === undefined ? {} : { encodedBytes }),
  };
}

const job = JSON.parse(process.argv[2] ?? "null") as ClientJob;
const outcome: ClientOutcome =
  job.kind === "throughput"
    ? await runThroughput(job)
    : job.kind === "tls-setup"
      ? await runTlsSetup(job, waitForGo)
      : job.kind === "memory"
        ? await runMemory(job, waitForGo)
        : await runAttachment(job);
send(outcome, () => process.exit(0));
