import { resolve } from "node:path";
import { runStandalone } from "@smtp-examples/shared/run-example";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";

// Needs the Redis that .ci/run (or `pnpm redis:start`) starts: skipped without it, but
// failing when CI is set.
const url = process.env.REDIS_URL;
const queueName = `example-${Date.now().toString(36)}`;

describe.skipIf(!url && !process.env.CI)("examples/queue", () => {
  afterAll(async () => {
    if (!url) return;
    const redis = new Redis(url);
    const keys = await redis.keys(`bull:${queueName}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it("runs the producer, two workers and the dashboard against Redis and an embedded server", async () => {
    expect(url, "REDIS_URL (scripts/redis-server.sh start)").toBeTruthy();
    const stdout = await runStandalone(resolve(import.meta.dirname, ".."), {
      REDIS_URL: url!,
      QUEUE_NAME: queueName,
      COUNT: "40",
    });
    expect(stdout).toMatch(/dashboard: http:\/\/127\.0\.0\.1:\d+\//);
    expect(stdout).toContain("worker-a: ready");
    expect(stdout).toContain("worker-b: ready");
    expect(stdout).toContain("producer: queued 40 messages");
    expect(stdout).toMatch(/producer: refused a bad message: invalid-input: to:/);
    expect(stdout).toContain(
      "main: done: 40 completed, 0 failed, 40 received by the embedded server",
    );
    // Both workers took a share.
    const sent = [...stdout.matchAll(/worker-[ab]: stopped \(sent (\d+)/g)].map((m) =>
      Number(m[1]),
    );
    expect(sent).toHaveLength(2);
    expect(sent[0]! + sent[1]!).toBe(40);
  });
});
