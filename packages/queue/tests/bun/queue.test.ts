// @smtp/queue on Bun: a producer and a worker against the Redis that .ci/run starts
// (REDIS_URL) and smtp-server run in this process. Skipped without REDIS_URL, failing
// instead when CI is set.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type SmtpServerPeer, startSmtpServerPeer } from "@smtp-internal/test-peer";
import { Redis } from "ioredis";
import {
  createMailQueue,
  createMailWorker,
  type MailQueue,
  type MailWorker,
} from "../../src/index.ts";

const url = process.env.REDIS_URL;
const name = `bun-${Date.now().toString(36)}`;

describe.skipIf(!url && !process.env.CI)("@smtp/queue on Bun", () => {
  let server: SmtpServerPeer;
  let queue: MailQueue;
  let worker: MailWorker;

  beforeAll(async () => {
    expect(url).toBeString();
    server = await startSmtpServerPeer({ tls: "none" });
    queue = createMailQueue({ connection: url!, name });
    worker = createMailWorker({
      connection: url!,
      name,
      client: { host: server.host, port: server.port, starttls: "never" },
    });
  });

  afterAll(async () => {
    await worker?.close();
    await queue?.close();
    await server?.close();
    if (url) {
      const redis = new Redis(url);
      const keys = await redis.keys(`bull:${name}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
  });

  test("delivers queued messages once, and fails a 5xx at once", async () => {
    const ids = await queue.enqueueMany(
      Array.from({ length: 20 }, (_, i) => ({
        message: { from: "a@example.test", to: `b${i}@example.test`, text: `message ${i}` },
      })),
    );
    const bad = await queue.enqueue({ from: "a@example.test", to: "x@reject.test", text: "x" });
    const deadline = Date.now() + 15_000;
    while (
      (await queue.queue.getCompletedCount()) < 20 ||
      (await queue.queue.getFailedCount()) < 1
    ) {
      if (Date.now() > deadline) throw new Error("not all jobs finished");
      await Bun.sleep(50);
    }
    expect(server.received).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
    const failed = await queue.queue.getJob(bad);
    expect(failed?.attemptsMade).toBe(1);
    expect(failed?.failedReason).toContain("550");
    expect(worker.metrics.snapshot()).toMatchObject({ sent: 20, failed: 1 });
  });
});
