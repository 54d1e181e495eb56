// A worker: sends the queue's messages through a pooled @smtp/client. Run as many as you
// like, on as many machines as you like; SIGTERM (Ctrl-C) shuts one down gracefully.

import { createMailWorker } from "@smtp/queue";
import { target } from "@smtp-examples/shared";
import { QUEUE_NAME, redisUrl } from "./config.ts";

const label = process.env.WORKER_NAME ?? `worker-${process.pid}`;
const server = await target();
const worker = createMailWorker({
  connection: redisUrl(),
  name: QUEUE_NAME,
  client: { ...server.options, pool: { maxConnections: 3 } },
  concurrency: 10,
  // At most 50 messages a second to one server, across all workers.
  limiter: { perDestination: { max: 50, duration: 1000 } },
});

worker.on("failed", (e) => console.log(`${label}: job ${e.jobId} failed: ${e.reason}`));
worker.on("retried", (e) => console.log(`${label}: job ${e.jobId} retried in ${e.delay} ms`));
worker.on("error", (error) => console.error(`${label}: ${error.message}`));
await worker.worker.waitUntilReady();
console.log(`${label}: ready on "${QUEUE_NAME}"`);

const report = () => {
  const m = worker.metrics.snapshot();
  return `sent ${m.sent}, failed ${m.failed}, retried ${m.retried}, deferred ${m.deferred}`;
};
const timer = setInterval(() => console.log(`${label}: ${report()}`), 5000);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  clearInterval(timer);
  await worker.close();
  await server.stop();
  console.log(`${label}: stopped (${report()})`);
  // Prometheus can scrape the same counters: worker.metrics.toPrometheus({ worker: label }).
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
