import { Redis } from "ioredis";
import { describe, it } from "vitest";

/** The Redis that `scripts/redis-server.sh start` (and `.ci/run`) started, if any. */
export const REDIS_URL = process.env.REDIS_URL;

/**
 * `describe` for tests that need Redis: skipped (and announced) without `REDIS_URL`, but
 * failing when CI is set, since `.ci/run` always starts Redis.
 */
export function describeWithRedis(name: string, body: () => void): void {
  if (!REDIS_URL && process.env.CI) {
    describe(name, () => {
      it("has the Redis that .ci/run starts", () => {
        throw new Error("CI is set but REDIS_URL is not: .ci/run starts scripts/redis-server.sh");
      });
    });
    return;
  }
  if (!REDIS_URL) {
    console.warn(
      `@smtp/queue: "${name}" skipped: REDIS_URL is not set (pnpm redis:start, or pnpm test:queue)`,
    );
  }
  describe.skipIf(!REDIS_URL)(name, body);
}

/** A queue name no other test (or test run) uses. */
export function uniqueName(label: string): string {
  return `t-${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Deletes every key of queue `name` (BullMQ's and ours). */
export async function dropQueue(name: string, prefix = "bull"): Promise<void> {
  const redis = new Redis(REDIS_URL as string);
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:${name}:*`, "COUNT", 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}
