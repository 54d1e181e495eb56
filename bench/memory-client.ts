/**
 * The client side of the memory measurements (run in a client process):
 *
 * - `concurrent`: `count` `send()` calls made at once (the pool queues what it cannot take),
 *   RSS sampled every 5 ms until all are settled: the peak over the RSS before.
 * - `soak`: `count` messages with a few sends in flight, the heap measured after a full GC
 *   before the first and after the last (and at every tenth): a leak shows as growth.
 */
import { type BenchClient, connectionsOf, openClient } from "./clients.ts";
import { recipients, textMessage } from "./fixtures.ts";
import type { MemoryJob, MemoryOutcome } from "./protocol.ts";

const gc = (): void => {
  // Twice: objects freed by the first (finalizers, weak references) go in the second.
  (globalThis as { gc?: () => void }).gc?.();
  (globalThis as { gc?: () => void }).gc?.();
};

async function concurrent(client: BenchClient, job: MemoryJob): Promise<Partial<MemoryOutcome>> {
  const rcpts = recipients(1);
  gc();
  const rssBefore = process.memoryUsage.rss();
  let rssPeak = rssBefore;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
  }, 5);
  const started = performance.now();
  const settled = await Promise.allSettled(
    Array.from({ length: job.count }, (_, i) => client.send(textMessage(i, rcpts))),
  );
  const wallMs = performance.now() - started;
  clearInterval(sampler);
  rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
  const failures = settled.filter((s) => s.status === "rejected");
  return {
    wallMs,
    rssBefore,
    rssPeak,
    sent: job.count - failures.length,
    failed: failures.length,
    ...(failures[0] ? { firstError: String((failures[0] as PromiseRejectedResult).reason) } : {}),
  };
}

async function soak(client: BenchClient, job: MemoryJob): Promise<Partial<MemoryOutcome>> {
  const rcpts = recipients(1);
  const window = 4 * connectionsOf(job.client);
  const heap: number[] = [];
  const measure = () => {
    gc();
    heap.push(process.memoryUsage().heapUsed);
  };
  let sent = 0;
  let failed = 0;
  let firstError: string | undefined;
  const started = performance.now();
  measure();
  const step = Math.max(1, Math.floor(job.count / 10));
  for (let done = 0; done < job.count; ) {
    const batch = Math.min(step, job.count - done);
    await new Promise<void>((resolve) => {
      let issued = 0;
      let active = 0;
      const launch = () => {
        while (active < window && issued < batch) {
          const i = done + issued++;
          active++;
          client.send(textMessage(i, rcpts)).then(
            () => {
              sent++;
              active--;
              launch();
            },
            (error: unknown) => {
              failed++;
              firstError ??= String(error);
              active--;
              launch();
            },
          );
        }
        if (active === 0 && issued === batch) resolve();
      };
      launch();
    });
    done += batch;
    measure();
  }
  return {
    wallMs: performance.now() - started,
    heapBytes: heap,
    sent,
    failed,
    ...(firstError === undefined ? {} : { firstError }),
  };
}

/**
 * Runs the job after a short warm-up.
 *
 * @since 0.2.0
 */
export async function runMemory(
  job: MemoryJob,
  waitForGo: () => Promise<void>,
): Promise<MemoryOutcome> {
  const client = await openClient(job.client, job.port);
  const rcpts = recipients(1);
  for (let i = 0; i < 50; i++) await client.send(textMessage(-1 - i, rcpts));
  await waitForGo();
  const part = job.mode === "concurrent" ? await concurrent(client, job) : await soak(client, job);
  await client.close();
  return {
    type: "result",
    kind: "memory",
    wallMs: part.wallMs ?? Number.NaN,
    sent: part.sent ?? 0,
    failed: part.failed ?? 0,
    ...(part.firstError === undefined ? {} : { firstError: part.firstError }),
    ...(part.rssBefore === undefined ? {} : { rssBefore: part.rssBefore, rssPeak: part.rssPeak! }),
    ...(part.heapBytes === undefined ? {} : { heapBytes: part.heapBytes }),
  };
}
