import { afterAll, beforeAll, expect, it } from "vitest";
import { runProof } from "./proof.ts";
import { describeWithRedis, REDIS_URL } from "./redis.ts";
import { type Sink, startSink } from "./sink.ts";

// The proof: 10,000 messages through three worker processes to an smtp-server sink
// that counts them by Message-ID; then again while one worker is SIGKILLed three times.
const N = Number(process.env.QUEUE_PROOF_MESSAGES ?? 10_000);
const CONCURRENCY = 20;
const WORKERS = 3;
const KILLS = 3;

describeWithRedis(`${N} messages, ${WORKERS} worker processes, an smtp-server sink`, () => {
  let sink: Sink;
  beforeAll(async () => {
    sink = await startSink();
  });
  afterAll(() => sink?.close());

  const run = async (label: string, kills: number) => {
    const result = await runProof({
      sink,
      redisUrl: REDIS_URL!,
      label,
      messages: N,
      workers: WORKERS,
      concurrency: CONCURRENCY,
      kills,
    });
    console.log(
      `@smtp/queue proof (${label}): ${N} enqueued, ${result.delivered} delivered, ${result.duplicates} duplicates, ${kills} SIGKILLs, ${result.failed} failed, ${result.seconds.toFixed(1)} s`,
    );
    return result;
  };

  it("delivers every message exactly once", { timeout: 240_000 }, async () => {
    const result = await run("steady", 0);
    expect(result).toMatchObject({ delivered: N, duplicates: 0, failed: 0 });
  });

  it(`loses none while a worker is SIGKILLed ${KILLS} times; duplicates stay within the window`, {
    timeout: 300_000,
  }, async () => {
    const result = await run("chaos", KILLS);
    expect(result).toMatchObject({ delivered: N, failed: 0 });
    // The window: a message the server accepted whose record had not reached Redis when its
    // worker died. At most every send in flight in the killed worker, per kill.
    expect(result.duplicates).toBeLessThanOrEqual(KILLS * CONCURRENCY);
  });
});
