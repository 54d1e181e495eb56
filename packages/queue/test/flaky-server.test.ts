import { afterAll, beforeAll, expect, it } from "vitest";
import {
  createMailQueue,
  createMailWorker,
  type MailQueue,
  type MailWorker,
} from "../src/index.ts";
import { describeWithRedis, dropQueue, REDIS_URL, uniqueName } from "./redis.ts";
import { type Sink, startSink } from "./sink.ts";
import { waitFor } from "./wait.ts";

// The second proof: a server answering 451 to 20 % of transactions and 421 to 5 %
// of connections (seeded), with messages that get a 5xx mixed in.
const GOOD = 400;
const BAD_RCPT = 20;
const BAD_DATA = 10;
const ATTEMPTS = 12;

describeWithRedis("against a server that answers 451 and 421 at random", () => {
  let sink: Sink;
  let queue: MailQueue;
  const workers: MailWorker[] = [];
  const name = uniqueName("flaky");

  beforeAll(async () => {
    sink = await startSink({
      seed: 4242,
      data451: 0.2,
      connect421: 0.05,
      data: (_id, subject) =>
        subject.startsWith("reject-me") ? { code: 554, message: "Content refused" } : undefined,
    });
    queue = createMailQueue({ connection: REDIS_URL!, name, attempts: ATTEMPTS });
    for (let i = 0; i < 2; i++) {
      workers.push(
        createMailWorker({
          connection: REDIS_URL!,
          name,
          // A new connection every 5 messages, so that connections (and their 421s) are many.
          client: { host: sink.host, port: sink.port, starttls: "never", pool: { maxMessages: 5 } },
          concurrency: 10,
          retry: { delay: 10, maxDelay: 100 },
          slowDown: { delay: 30, maxDelay: 120 },
        }),
      );
    }
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.close()));
    await queue?.close();
    await sink?.close();
    await dropQueue(name);
  });

  it("delivers everything within the retry budget, once, and retries nothing after a 5xx", {
    timeout: 120_000,
  }, async () => {
    const good = Array.from({ length: GOOD }, (_, i) => ({
      message: {
        from: "s@example.test",
        to: `r${i}@example.test`,
        subject: `good ${i}`,
        text: "x",
      },
    }));
    const badRcpt = Array.from({ length: BAD_RCPT }, (_, i) => ({
      message: {
        from: "s@example.test",
        to: `gone${i}@reject.test`,
        subject: `bad rcpt ${i}`,
        text: "x",
      },
    }));
    const badData = Array.from({ length: BAD_DATA }, (_, i) => ({
      message: {
        from: "s@example.test",
        to: `d${i}@example.test`,
        subject: `reject-me ${i}`,
        text: "x",
      },
    }));
    const ids = await queue.enqueueMany([...good, ...badRcpt, ...badData]);
    await waitFor(
      "every job to finish",
      async () => {
        const c = await queue.queue.getJobCounts("completed", "failed");
        return (c.completed ?? 0) + (c.failed ?? 0) === ids.length;
      },
      110_000,
    );
    const jobs = await Promise.all(ids.map((id) => queue.queue.getJob(id)));
    const goodJobs = jobs.slice(0, GOOD);
    const badJobs = jobs.slice(GOOD);

    // Every good message delivered exactly once, within the budget.
    for (const job of goodJobs) {
      expect(await job!.getState()).toBe("completed");
      expect(job!.attemptsMade).toBeLessThanOrEqual(ATTEMPTS);
      expect(sink.copies.get(job!.data.messageId)).toBe(1);
    }
    // The server did misbehave: 451s were answered and retried, 421s refused connections.
    const retried = workers.reduce((n, w) => n + w.metrics.retried, 0);
    expect(retried).toBeGreaterThan(GOOD * 0.1);
    expect(sink.connections.refused).toBeGreaterThan(0);
    expect(goodJobs.some((job) => job!.attemptsMade > 1)).toBe(true);

    // A 5xx fails the job on its first answer: one RCPT or one data per message, never more.
    for (const job of badJobs) {
      expect(await job!.getState()).toBe("failed");
      expect(job!.failedReason).toMatch(/(^|: )5\d\d /);
    }
    for (let i = 0; i < BAD_RCPT; i++) expect(sink.rcptSeen.get(`gone${i}@reject.test`)).toBe(1);
    for (const job of badJobs.slice(BAD_RCPT)) {
      expect(job!.failedReason).toMatch(/^554 \S+ Content refused$/);
      expect(sink.dataSeen.get(job!.data.messageId)).toBe(1);
    }
    console.log(
      `@smtp/queue flaky server: ${sink.connections.refused}/${sink.connections.total} connections got 421, ` +
        `${[...sink.dataSeen.values()].reduce((a, b) => a + b, 0) - sink.total() - BAD_DATA} transactions got 451, ` +
        `${retried} retries, max attempts ${Math.max(...goodJobs.map((j) => j!.attemptsMade))}`,
    );
  });
});
