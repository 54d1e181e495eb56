import { afterAll, beforeAll, expect, it } from "vitest";
import { createMailQueue, type EnqueueItem, type MailQueue } from "../src/index.ts";
import { startWorkerProcess, type WorkerProcess } from "./processes.ts";
import { describeWithRedis, dropQueue, REDIS_URL, uniqueName } from "./redis.ts";
import { type Sink, seeded, startSink } from "./sink.ts";
import { waitFor } from "./wait.ts";

// The proof: 10,000 messages through three worker processes to an smtp-server sink
// that counts them by Message-ID; then again while one worker is SIGKILLed three times.
const N = Number(process.env.QUEUE_PROOF_MESSAGES ?? 10_000);
const CONCURRENCY = 20;
const WORKERS = 3;
const KILLS = 3;

/** The messages of one run, each with its own Message-ID, which the sink counts by. */
function messages(run: string): { items: EnqueueItem[]; messageIds: Set<string> } {
  const items = Array.from({ length: N }, (_, i) => ({
    message: {
      from: "bulk@example.test",
      to: `r${i % 500}@example.test`,
      subject: `${run} #${i}`,
      text: `Message ${i} of ${N}.\nSent by @smtp/queue.`,
      messageId: `<${run}-${i}@example.test>`,
    },
  }));
  return { items, messageIds: new Set(items.map((item) => item.message.messageId)) };
}

async function enqueueAll(queue: MailQueue, items: EnqueueItem[]): Promise<void> {
  for (let i = 0; i < items.length; i += 1000) await queue.enqueueMany(items.slice(i, i + 1000));
}

describeWithRedis(`${N} messages, ${WORKERS} worker processes, an smtp-server sink`, () => {
  let sink: Sink;
  const names: string[] = [];
  const running = new Set<WorkerProcess>();

  beforeAll(async () => {
    sink = await startSink();
  });
  afterAll(async () => {
    await Promise.all([...running].map((w) => w.kill()));
    await sink?.close();
    for (const name of names) await dropQueue(name);
  });

  async function run(label: string, chaos: boolean) {
    const name = uniqueName(label);
    names.push(name);
    const queue = createMailQueue({ connection: REDIS_URL!, name, removeOnComplete: true });
    const env = {
      REDIS_URL: REDIS_URL!,
      QUEUE_NAME: name,
      SMTP_PORT: String(sink.port),
      CONCURRENCY: String(CONCURRENCY),
      // Short locks, so a killed worker's jobs are taken over within seconds.
      LOCK_MS: "4000",
      STALLED_MS: "1500",
    };
    const start = async () => {
      const w = await startWorkerProcess(env);
      running.add(w);
      return w;
    };
    const workers = await Promise.all(Array.from({ length: WORKERS }, start));
    const before = new Map(sink.copies);
    const { items, messageIds: expected } = messages(name);
    await enqueueAll(queue, items);
    const delivered = () =>
      [...expected].filter((id) => (sink.copies.get(id) ?? 0) > (before.get(id) ?? 0)).length;

    let kills = 0;
    if (chaos) {
      const random = seeded(17);
      // Three kills at random points between 10 % and 80 % of the run.
      const points = Array.from({ length: KILLS }, () =>
        Math.floor(N * (0.1 + 0.7 * random())),
      ).sort((a, b) => a - b);
      for (const point of points) {
        await waitFor(`${point} deliveries`, () => sink.total() - sumOf(before) >= point, 120_000);
        const victim = workers.splice(Math.floor(random() * workers.length), 1)[0]!;
        await victim.kill();
        running.delete(victim);
        kills++;
        workers.push(await start());
      }
    }
    await waitFor(`all ${N} messages at the sink`, () => delivered() === N, 180_000);
    await waitFor("an empty queue", async () => {
      const c = await queue.queue.getJobCounts("waiting", "active", "delayed", "prioritized");
      return Object.values(c).every((n) => n === 0);
    });
    const failed = await queue.queue.getFailedCount();
    await Promise.all(workers.map((w) => w.stop()));
    for (const w of workers) running.delete(w);
    await queue.close();
    const duplicates = [...expected].reduce(
      (n, id) => n + (sink.copies.get(id)! - (before.get(id) ?? 0) - 1),
      0,
    );
    console.log(
      `@smtp/queue proof (${label}): ${N} enqueued, ${delivered()} delivered, ${duplicates} duplicates, ${kills} SIGKILLs, ${failed} failed`,
    );
    return { delivered: delivered(), duplicates, failed };
  }

  it("delivers every message exactly once", { timeout: 240_000 }, async () => {
    const result = await run("steady", false);
    expect(result).toEqual({ delivered: N, duplicates: 0, failed: 0 });
  });

  it(`loses none while a worker is SIGKILLed ${KILLS} times; duplicates stay within the window`, {
    timeout: 300_000,
  }, async () => {
    const result = await run("chaos", true);
    expect(result.delivered).toBe(N);
    expect(result.failed).toBe(0);
    // The window: a send whose 250 arrived but whose record had not reached Redis when its
    // worker died. At most every send in flight in the killed worker, per kill.
    expect(result.duplicates).toBeLessThanOrEqual(KILLS * CONCURRENCY);
  });
});

function sumOf(map: Map<string, number>): number {
  let sum = 0;
  for (const n of map.values()) sum += n;
  return sum;
}
