import { createMailQueue, type EnqueueItem } from "../src/index.ts";
import { startWorkerProcess, type WorkerProcess } from "./processes.ts";
import { dropQueue, uniqueName } from "./redis.ts";
import { type Sink, seeded } from "./sink.ts";
import { waitFor } from "./wait.ts";

/** One run of the bulk proof: how many messages, workers and SIGKILLs. */
export interface ProofOptions {
  sink: Sink;
  redisUrl: string;
  label: string;
  messages: number;
  workers: number;
  /** Jobs per worker at once; each worker has one pool of `poolConnections`. */
  concurrency: number;
  poolConnections?: number;
  /** SIGKILLs of a random worker at random points between 10 % and 80 % of the run. */
  kills: number;
  seed?: number;
}

/** What the sink saw, by Message-ID. */
export interface ProofResult {
  delivered: number;
  duplicates: number;
  failed: number;
  kills: number;
  /** From the first enqueueMany to the last message at the sink. */
  seconds: number;
  /** The enqueueing alone. */
  enqueueSeconds: number;
}

/** `n` small messages, each with its own Message-ID (`<run-i@example.test>`). */
export function bulkMessages(run: string, n: number): EnqueueItem[] {
  return Array.from({ length: n }, (_, i) => ({
    message: {
      from: "bulk@example.test",
      to: `r${i % 500}@example.test`,
      subject: `${run} #${i}`,
      text: `Message ${i} of ${n}.\nSent by @smtp/queue.`,
      messageId: `<${run}-${i}@example.test>`,
    },
  }));
}

/**
 * Enqueues `messages` messages on a fresh queue, sends them with `workers` worker processes
 * (killing one `kills` times and starting a replacement each time), and waits until the sink
 * has every one and the queue is empty.
 */
export async function runProof(options: ProofOptions): Promise<ProofResult> {
  const { sink, messages: n } = options;
  const name = uniqueName(options.label);
  const queue = createMailQueue({ connection: options.redisUrl, name, removeOnComplete: true });
  const env = {
    REDIS_URL: options.redisUrl,
    QUEUE_NAME: name,
    SMTP_PORT: String(sink.port),
    CONCURRENCY: String(options.concurrency),
    POOL_CONNECTIONS: String(options.poolConnections ?? 5),
    // Short locks, so that a killed worker's jobs are taken over within seconds.
    LOCK_MS: "4000",
    STALLED_MS: "1500",
  };
  const workers: WorkerProcess[] = [];
  const start = async () => {
    workers.push(await startWorkerProcess(env));
  };
  const items = bulkMessages(name, n);
  const copies = (i: number) => sink.copies.get(items[i]!.message.messageId!) ?? 0;
  const delivered = () => items.reduce((count, _, i) => count + (copies(i) > 0 ? 1 : 0), 0);
  try {
    await Promise.all(Array.from({ length: options.workers }, start));
    const started = performance.now();
    for (let i = 0; i < n; i += 1000) await queue.enqueueMany(items.slice(i, i + 1000));
    const enqueueSeconds = (performance.now() - started) / 1000;

    const random = seeded(options.seed ?? 17);
    const points = Array.from({ length: options.kills }, () =>
      Math.floor(n * (0.1 + 0.7 * random())),
    );
    for (const point of points.sort((a, b) => a - b)) {
      await waitFor(`${point} deliveries`, () => delivered() >= point, 300_000);
      const victim = workers.splice(Math.floor(random() * workers.length), 1)[0]!;
      await victim.kill();
      await start();
    }
    await waitFor(`all ${n} messages at the sink`, () => delivered() === n, 300_000);
    const seconds = (performance.now() - started) / 1000;
    await waitFor("an empty queue", async () => {
      const counts = await queue.queue.getJobCounts("waiting", "active", "delayed", "prioritized");
      return Object.values(counts).every((count) => count === 0);
    });
    const failed = await queue.queue.getFailedCount();
    let duplicates = 0;
    for (let i = 0; i < n; i++) duplicates += copies(i) - 1;
    return {
      delivered: delivered(),
      duplicates,
      failed,
      kills: options.kills,
      seconds,
      enqueueSeconds,
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await queue.close();
    await dropQueue(name);
  }
}
