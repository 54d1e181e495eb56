import { setTimeout as sleep } from "node:timers/promises";
import { type ClientOptions, SmtpError } from "@smtp/client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createMailQueue,
  createMailWorker,
  type MailQueue,
  type MailWorker,
  type MailWorkerOptions,
} from "../src/index.ts";
import { describeWithRedis, dropQueue, REDIS_URL, uniqueName } from "./redis.ts";
import { type Sink, type SinkOptions, startSink } from "./sink.ts";
import { waitFor } from "./wait.ts";

const from = "sender@example.test";

describeWithRedis("createMailWorker", () => {
  let sink: Sink;
  let name: string;
  let queue: MailQueue;
  const workers: MailWorker[] = [];
  const sinks: Sink[] = [];

  async function setUp(sinkOptions: SinkOptions = {}, queueOptions = {}) {
    sink = await startSink(sinkOptions);
    sinks.push(sink);
    name = uniqueName("worker");
    queue = createMailQueue({ connection: REDIS_URL!, name, ...queueOptions });
  }

  function start(options: Partial<MailWorkerOptions> = {}): MailWorker {
    const worker = createMailWorker({
      connection: REDIS_URL!,
      name,
      client: clientOptions(sink),
      retry: { delay: 20, maxDelay: 100 },
      slowDown: { delay: 100, maxDelay: 400 },
      ...options,
    });
    workers.push(worker);
    return worker;
  }

  const clientOptions = (s: Sink): ClientOptions => ({
    host: s.host,
    port: s.port,
    starttls: "never",
    name: "worker.example.test",
  });

  async function settled(id: string) {
    await waitFor(`job ${id} to finish`, async () => {
      const state = await queue.queue.getJobState(id);
      return state === "completed" || state === "failed";
    });
    return (await queue.queue.getJob(id))!;
  }

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.close()));
    await queue?.close();
    await Promise.all(sinks.splice(0).map((s) => s.close()));
    if (name) await dropQueue(name);
  });

  it("delivers a message once, with the Message-ID fixed at enqueue time", async () => {
    await setUp();
    const worker = start();
    const sent: string[] = [];
    worker.on("sent", (e) => sent.push(e.messageId));
    const id = await queue.enqueue({ from, to: "a@example.test", subject: "Hi", text: "Hello" });
    const job = await settled(id);
    expect(await job.getState()).toBe("completed");
    const messageId = job.data.messageId;
    expect(messageId).toMatch(/^<.+@example\.test>$/);
    expect(job.returnvalue).toMatchObject({
      messageId,
      accepted: ["a@example.test"],
      rejected: [],
      alreadyDelivered: false,
    });
    expect(job.returnvalue.response).toMatch(/^250 /);
    expect(sink.copies.get(messageId)).toBe(1);
    expect(sent).toEqual([messageId]);
    expect(worker.metrics.snapshot()).toMatchObject({ sent: 1, failed: 0, retried: 0, active: 0 });
  });

  it("fails at once on a 5xx for every recipient, keeping the reply on the job, and never retries", async () => {
    await setUp();
    const worker = start();
    const failures: string[] = [];
    worker.on("failed", (e) => failures.push(e.reason));
    const id = await queue.enqueue({ from, to: "nobody@reject.test", text: "x" });
    const job = await settled(id);
    expect(await job.getState()).toBe("failed");
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toContain("550 5.1.1");
    expect(job.failedReason).toContain("nobody@reject.test");
    expect(failures).toHaveLength(1);
    await sleep(200);
    expect(sink.rcptSeen.get("nobody@reject.test")).toBe(1);
    expect(worker.metrics.snapshot()).toMatchObject({ failed: 1, retried: 0, sent: 0 });
  });

  it("fails at once on a 5xx to the data", async () => {
    await setUp({
      data: (_id, subject) => (subject === "spam" ? { code: 554, message: "Spam" } : undefined),
    });
    start();
    const id = await queue.enqueue({ from, to: "a@example.test", subject: "spam", text: "x" });
    const job = await settled(id);
    expect(await job.getState()).toBe("failed");
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toBe("554 5.6.0 Spam");
    expect(sink.dataSeen.get(job.data.messageId)).toBe(1);
  });

  it("retries a 451 with back-off, and then delivers exactly one copy", async () => {
    let refusals = 2;
    await setUp({ data: () => (refusals-- > 0 ? { code: 451, message: "Later" } : undefined) });
    const worker = start();
    const retried: { attempt: number; delay: number }[] = [];
    worker.on("retried", (e) => retried.push({ attempt: e.attempt, delay: e.delay }));
    const id = await queue.enqueue({ from, to: "a@example.test", text: "x" });
    const job = await settled(id);
    expect(await job.getState()).toBe("completed");
    expect(job.attemptsMade).toBe(3);
    expect(retried.map((r) => r.attempt)).toEqual([1, 2]);
    // retry.delay 20 ms, doubling, jitter 0.5: 10–20 ms, then 20–40 ms.
    expect(retried[0]!.delay).toBeGreaterThanOrEqual(10);
    expect(retried[0]!.delay).toBeLessThanOrEqual(20);
    expect(retried[1]!.delay).toBeGreaterThanOrEqual(20);
    expect(retried[1]!.delay).toBeLessThanOrEqual(40);
    expect(sink.dataSeen.get(job.data.messageId)).toBe(3);
    expect(sink.copies.get(job.data.messageId)).toBe(1);
  });

  it("fails after the last attempt of a 4xx that never clears", async () => {
    await setUp({ data: () => ({ code: 452, message: "Out of space" }) }, { attempts: 3 });
    const worker = start();
    const failed: boolean[] = [];
    worker.on("failed", (e) => failed.push(e.permanent));
    const id = await queue.enqueue({ from, to: "a@example.test", text: "x" });
    const job = await settled(id);
    expect(await job.getState()).toBe("failed");
    expect(job.attemptsMade).toBe(3);
    expect(job.failedReason).toBe("452 4.2.2 Out of space (after 3 attempts)");
    expect(failed).toEqual([false]);
    expect(worker.metrics.snapshot()).toMatchObject({ retried: 2, failed: 1 });
  });

  it("keeps partial results: accepted and 5xx recipients are final, only a 4xx one is retried", async () => {
    await setUp({
      rcpt: (address, n) =>
        address === "busy@example.test" && n === 1
          ? { code: 452, message: "Mailbox busy" }
          : undefined,
    });
    start();
    const id = await queue.enqueue({
      from,
      to: ["a@example.test", "busy@example.test", "gone@reject.test"],
      text: "x",
    });
    const job = await settled(id);
    expect(await job.getState()).toBe("completed");
    expect(job.attemptsMade).toBe(2);
    const messageId = job.data.messageId;
    expect(sink.recipients.get(messageId)).toEqual(["a@example.test", "busy@example.test"]);
    expect(sink.rcptSeen.get("a@example.test")).toBe(1);
    expect(sink.rcptSeen.get("gone@reject.test")).toBe(1);
    expect(job.returnvalue.accepted.sort()).toEqual(["a@example.test", "busy@example.test"]);
    expect(job.returnvalue.rejected).toEqual([
      expect.objectContaining({ address: "gone@reject.test", code: 550, enhancedCode: "5.1.1" }),
    ]);
  });

  it("sends a Message-ID only once, whichever job carries it, and a delivered job id never again", async () => {
    await setUp({}, { removeOnComplete: true });
    const worker = start();
    const skipped: string[] = [];
    worker.on("skipped", (e) => skipped.push(e.jobId));
    const message = { from, to: "a@example.test", text: "x", messageId: "<once@example.test>" };
    const first = await queue.enqueue(message, { jobId: "welcome-1" });
    await waitFor("the first copy", () => sink.copies.get("<once@example.test>") === 1);
    const second = await queue.enqueue(message);
    await waitFor("the second job", () => skipped.includes(second));
    // The same job id again, now with a new Message-ID: still not sent again.
    await waitFor(
      "welcome-1 removed",
      async () => (await queue.queue.getJob("welcome-1")) === undefined,
    );
    const third = await queue.enqueue(
      { from, to: "a@example.test", text: "x" },
      { jobId: "welcome-1" },
    );
    expect(third).toBe(first);
    await waitFor("the third job", () => skipped.filter((id) => id === "welcome-1").length === 1);
    expect(sink.total()).toBe(1);
    expect(worker.metrics.snapshot()).toMatchObject({ sent: 1, skipped: 2 });
  });

  it("enqueueing a job id still queued adds nothing", async () => {
    await setUp();
    const a = await queue.enqueue(
      { from, to: "a@example.test", text: "x" },
      { jobId: "dup", delay: 60_000 },
    );
    const b = await queue.enqueue({ from, to: "b@example.test", text: "y" }, { jobId: "dup" });
    expect(b).toBe(a);
    expect(await queue.queue.getDelayedCount()).toBe(1);
    expect((await queue.queue.getJob("dup"))!.data.envelope.to).toEqual(["a@example.test"]);
  });

  it("pauses a destination after a 421 for every worker, deferring its jobs without using attempts", async () => {
    // 421 to the "first" message's first five data ends: @smtp/client resends it on new
    // connections itself, then reports the 421 to the worker, which pauses the destination.
    await setUp({
      data: (_id, subject, n) =>
        subject === "first" && n <= 5 ? { code: 421, message: "Slow down" } : undefined,
    });
    const deferred: string[] = [];
    const retried: number[] = [];
    const options = {
      concurrency: 1,
      maxInlineWait: 10,
      slowDown: { delay: 1500, maxDelay: 3000 },
    };
    const a = start(options);
    const b = start(options);
    for (const w of [a, b]) {
      w.on("deferred", (e) => deferred.push(e.reason));
      w.on("retried", (e) => retried.push(e.delay));
    }
    const first = await queue.enqueue({ from, to: "r0@example.test", subject: "first", text: "x" });
    await waitFor("the 421 to reach the worker", () => retried.length > 0);
    // The pause (1.5 s) holds every worker's sends to this server, and sets the retry's delay.
    expect(retried[0]).toBeGreaterThanOrEqual(1500);
    const others = await Promise.all(
      [1, 2, 3].map((i) => queue.enqueue({ from, to: `r${i}@example.test`, text: "x" })),
    );
    const jobs = await Promise.all([first, ...others].map(settled));
    expect(await Promise.all(jobs.map((j) => j.getState()))).toEqual(Array(4).fill("completed"));
    expect(deferred.length).toBeGreaterThanOrEqual(3);
    expect(deferred.every((r) => r === "slow-down")).toBe(true);
    // The deferred jobs used one attempt each; only the refused one used more.
    expect(jobs.slice(1).map((j) => j.attemptsMade)).toEqual([1, 1, 1]);
    expect(jobs[0]!.attemptsMade).toBeGreaterThan(1);
    expect(sink.total()).toBe(4);
  });

  it("limits sends per destination across workers (sliding window)", async () => {
    await setUp();
    const accepted: number[] = [];
    const perDestination = { max: 3, duration: 300 };
    for (let i = 0; i < 2; i++) {
      start({ concurrency: 5, limiter: { perDestination } }).on("sent", () =>
        accepted.push(Date.now()),
      );
    }
    const ids = await queue.enqueueMany(
      Array.from({ length: 9 }, (_, i) => ({
        message: { from, to: `r${i}@example.test`, text: "x" },
      })),
    );
    await Promise.all(ids.map(settled));
    expect(sink.total()).toBe(9);
    // Starts are limited, so in any 300 ms at most 3 sends can have started; replies come a
    // little later, hence the 50 ms of slack on the window.
    accepted.sort((x, y) => x - y);
    for (let i = 3; i < accepted.length; i++) {
      expect(accepted[i]! - accepted[i - 3]!).toBeGreaterThanOrEqual(perDestination.duration - 50);
    }
  });

  it("limits this worker's own rate", async () => {
    await setUp();
    const started: number[] = [];
    start({ concurrency: 5, limiter: { max: 2, duration: 200 } }).on("sent", () =>
      started.push(Date.now()),
    );
    const ids = await queue.enqueueMany(
      Array.from({ length: 6 }, (_, i) => ({
        message: { from, to: `r${i}@example.test`, text: "x" },
      })),
    );
    await Promise.all(ids.map(settled));
    started.sort((x, y) => x - y);
    for (let i = 2; i < started.length; i++) {
      expect(started[i]! - started[i - 2]!).toBeGreaterThanOrEqual(150);
    }
  });

  it("chooses client options per message, one pooled client per distinct set", async () => {
    await setUp();
    const other = await startSink();
    sinks.push(other);
    const created: ClientOptions[] = [];
    const { createClient } = await import("@smtp/client");
    start({
      client: (message) =>
        String(message.to).endsWith("@other.test") ? clientOptions(other) : clientOptions(sink),
      createClient: (options) => {
        created.push(options);
        return createClient(options);
      },
    });
    const ids = await queue.enqueueMany([
      { message: { from, to: "a@example.test", text: "1" } },
      { message: { from, to: "b@other.test", text: "2" } },
      { message: { from, to: "c@example.test", text: "3" } },
      { message: { from, to: "d@other.test", text: "4" } },
    ]);
    await Promise.all(ids.map(settled));
    expect(sink.total()).toBe(2);
    expect(other.total()).toBe(2);
    expect(created).toHaveLength(2);
    expect(created.every((o) => o.pool === true)).toBe(true);
  });

  it("passes path attachments to the client, which reads them when it sends", async () => {
    const { mkdtemp, writeFile, readFile } = await import("node:fs/promises");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const dir = await mkdtemp(join(tmpdir(), "smtp-queue-"));
    const file = join(dir, "report.csv");
    await writeFile(file, "a,b\n1,2\n");
    await setUp();
    const { createClient } = await import("@smtp/client");
    const seen: unknown[] = [];
    start({
      // Stands in for @smtp/client's own `path` support: resolves it, then sends for real.
      createClient: (options) => {
        const client = createClient(options);
        return {
          ...client,
          async send(message, sendOptions) {
            seen.push(...(message.attachments ?? []));
            const attachments = await Promise.all(
              (message.attachments ?? []).map(async (a) => {
                const { path, ...rest } = a as typeof a & { path?: string };
                return path ? { ...rest, content: await readFile(path) } : a;
              }),
            );
            return client.send({ ...message, attachments }, sendOptions);
          },
          close: () => client.close(),
        };
      },
    });
    const id = await queue.enqueue({
      from,
      to: "a@example.test",
      text: "see attached",
      attachments: [{ path: file, contentType: "text/csv" }],
    });
    const job = await settled(id);
    expect(job.data.message.attachments).toEqual([{ path: file, contentType: "text/csv" }]);
    expect(await job.getState()).toBe("completed");
    expect(seen).toEqual([{ path: file, contentType: "text/csv" }]);
  });

  it("shuts down gracefully: sends in flight finish and are recorded, nothing new starts", async () => {
    await setUp({ dataDelay: 300 });
    const worker = start({ concurrency: 3 });
    const ids = await queue.enqueueMany(
      Array.from({ length: 10 }, (_, i) => ({
        message: { from, to: `r${i}@example.test`, text: "x" },
      })),
    );
    await waitFor("three sends in flight", () => worker.metrics.active === 3);
    await worker.close();
    const states = await Promise.all(ids.map((id) => queue.queue.getJobState(id)));
    expect(states.filter((s) => s === "completed")).toHaveLength(3);
    expect(states.filter((s) => s === "waiting")).toHaveLength(7);
    expect(sink.total()).toBe(3);
    expect(sink.peer.openConnections()).toBe(0);
    expect(worker.metrics.snapshot()).toMatchObject({ sent: 3, active: 0 });
  });

  it("fails a job at once when its client options are invalid, and retries when choosing them throws", async () => {
    await setUp({}, { attempts: 2 });
    let calls = 0;
    const worker = start({
      client: (message) => {
        calls++;
        if (String(message.to).startsWith("flaky")) throw new Error("tenant lookup timed out");
        return { host: "127.0.0.1", port: sink.port, starttls: "never", timeouts: { connect: -1 } };
      },
    });
    const failed: { reason: string; permanent: boolean; destination: string | undefined }[] = [];
    worker.on("failed", (e) =>
      failed.push({ reason: e.reason, permanent: e.permanent, destination: e.destination }),
    );
    const bad = await settled(await queue.enqueue({ from, to: "a@example.test", text: "x" }));
    expect(await bad.getState()).toBe("failed");
    expect(bad.attemptsMade).toBe(1);
    expect(bad.failedReason).toMatch(/^invalid-input: .*timeouts/);
    const flaky = await settled(await queue.enqueue({ from, to: "flaky@example.test", text: "x" }));
    expect(flaky.attemptsMade).toBe(2);
    expect(flaky.failedReason).toBe("tenant lookup timed out (after 2 attempts)");
    expect(failed.map((f) => f.permanent)).toEqual([true, false]);
    expect(failed.every((f) => f.destination === undefined)).toBe(true);
    expect(calls).toBe(3);
    expect(sink.total()).toBe(0);
  });

  it("retries a message that may have been delivered (no answer to its data), unless told not to", async () => {
    // The sink answers each message's first data after 600 ms, the client gives up after
    // 300 ms: the server has the message but the worker cannot know, and sends it again.
    let first = true;
    await setUp({ dataDelay: (n) => (n === 1 ? 600 : 0) });
    const slowOnce = sink;
    const client = {
      host: slowOnce.host,
      port: slowOnce.port,
      starttls: "never" as const,
      timeouts: { data: 300 },
    };
    const worker = start({ client });
    worker.on("retried", () => {
      first = false;
    });
    const id = await queue.enqueue({ from, to: "a@example.test", text: "x" });
    const job = await settled(id);
    expect(first).toBe(false);
    expect(await job.getState()).toBe("completed");
    expect(job.attemptsMade).toBe(2);
    await waitFor("the late first copy", () => (sink.copies.get(job.data.messageId) ?? 0) === 2);

    const strict = start({ client, retryMaybeDelivered: false });
    await workers[0]!.close();
    const id2 = await queue.enqueue({ from, to: "b@example.test", text: "y" });
    const job2 = await settled(id2);
    expect(await job2.getState()).toBe("failed");
    expect(job2.attemptsMade).toBe(1);
    expect(job2.failedReason).toMatch(/may have been delivered/);
    expect(strict.metrics.snapshot()).toMatchObject({ failed: 1, retried: 0 });
  });

  it("refuses bad options with invalid-input", () => {
    const base = { connection: REDIS_URL!, name: "x", client: { host: "127.0.0.1" } };
    for (const bad of [
      { ...base, name: "" },
      { ...base, client: undefined },
      { ...base, concurrency: 0 },
      { ...base, retry: { jitter: 1.5 } },
      { ...base, limiter: { perDestination: { max: 0, duration: 1000 } } },
    ]) {
      expect(() => createMailWorker(bad as MailWorkerOptions)).toThrow(SmtpError);
    }
  });
});

describe("module", () => {
  beforeAll(() => {});
  afterAll(() => {});
  it("exports the factories", async () => {
    const mod = await import("../src/index.ts");
    expect(typeof mod.createMailQueue).toBe("function");
    expect(typeof mod.createMailWorker).toBe("function");
  });
});
