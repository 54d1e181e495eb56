import { SmtpError } from "@smtp/client";
import { afterEach, describe, expect, it } from "vitest";
import { createMailQueue, DEFAULT_MAX_MESSAGE_BYTES, type MailQueue } from "../src/index.ts";
import { describeWithRedis, dropQueue, REDIS_URL, uniqueName } from "./redis.ts";

const from = "sender@example.test";
const ok = { from, to: "a@example.test", subject: "Hi", text: "Hello" };

async function refused(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SmtpError);
  expect((error as SmtpError).kind).toBe("invalid-input");
  expect((error as SmtpError).message).toMatch(pattern);
}

describeWithRedis("createMailQueue", () => {
  const queues: MailQueue[] = [];
  const open = (options: Partial<Parameters<typeof createMailQueue>[0]> = {}) => {
    const queue = createMailQueue({
      connection: REDIS_URL!,
      name: uniqueName("queue"),
      ...options,
    });
    queues.push(queue);
    return queue;
  };
  const count = async (queue: MailQueue) => {
    const counts = await queue.queue.getJobCounts();
    return Object.values(counts).reduce((a, b) => a + b, 0);
  };

  afterEach(async () => {
    for (const queue of queues.splice(0)) {
      await queue.close();
      await dropQueue(queue.name);
    }
  });

  it("stores the checked message, its Message-ID and envelope; bytes as base64 and dates as ISO", async () => {
    const queue = open();
    const date = new Date("2026-01-02T03:04:05Z");
    const id = await queue.enqueue({
      ...ok,
      cc: "Zoë <b@example.test>",
      bcc: ["c@example.test"],
      date,
      headers: { "X-Tenant": "t1" },
      attachments: [
        { filename: "a.bin", content: new Uint8Array([0, 1, 2, 255]) },
        { filename: "b.txt", content: "text" },
      ],
    });
    const job = (await queue.queue.getJob(id))!;
    expect(job.data.v).toBe(1);
    expect(job.data.messageId).toMatch(/^<[^<>]+@example\.test>$/);
    expect(job.data.envelope).toEqual({
      from,
      to: ["a@example.test", "b@example.test", "c@example.test"],
    });
    expect(job.data.message.date).toBe("2026-01-02T03:04:05.000Z");
    expect(job.data.message.attachments).toEqual([
      { filename: "a.bin", content: { base64: "AAEC/w==" } },
      { filename: "b.txt", content: "text" },
    ]);
    expect(job.opts.attempts).toBe(10);
  });

  it("keeps a given Message-ID", async () => {
    const queue = open();
    const id = await queue.enqueue({ ...ok, messageId: "abc@example.test" });
    expect((await queue.queue.getJob(id))!.data.messageId).toBe("<abc@example.test>");
  });

  it.each([
    [{ ...ok, to: "not an address" }, /to/],
    [{ ...ok, from: "a@b@c" }, /from/],
    [{ ...ok, subject: "Hi\r\nBcc: x@example.test" }, /subject/],
    [{ ...ok, headers: { "X-Bad": "a\nb" } }, /X-Bad/],
    [{ ...ok, headers: { "Bad Name": "v" } }, /Bad Name/],
    [{ from, subject: "no one" }, /no recipient/],
    [{ ...ok, priority: "urgent" }, /priority/],
    [{ ...ok, attachment: [{ content: "x" }] }, /attachment/],
    [{ ...ok, attachments: [{ content: "x", encoding: "base64" }] }, /not base64/],
  ])("refuses a bad message in the producer, queueing nothing (%#)", async (message, pattern) => {
    const queue = open();
    await refused(queue.enqueue(message as never), pattern);
    expect(await count(queue)).toBe(0);
  });

  it("refuses a stream attachment, pointing to path", async () => {
    const queue = open();
    const stream = new ReadableStream<Uint8Array>();
    await refused(
      queue.enqueue({ ...ok, attachments: [{ content: stream as never }] }),
      /attachments\[0\]\.content: .*pass path/,
    );
  });

  it("refuses a relative path, or path with content, and stores an absolute path as is", async () => {
    const queue = open();
    await refused(queue.enqueue({ ...ok, attachments: [{ path: "report.pdf" }] }), /absolute/);
    await refused(
      queue.enqueue({ ...ok, attachments: [{ path: "/tmp/r.pdf", content: "x" } as never] }),
      /either content or path/,
    );
    const id = await queue.enqueue({
      ...ok,
      attachments: [{ path: "/srv/files/r.pdf", filename: "R.pdf" }],
    });
    expect((await queue.queue.getJob(id))!.data.message.attachments).toEqual([
      { path: "/srv/files/r.pdf", filename: "R.pdf" },
    ]);
  });

  it("refuses values JSON cannot carry", async () => {
    const queue = open();
    await refused(queue.enqueue({ ...ok, headers: { "X-A": (() => "x") as never } }), /headers/);
  });

  it("stores a message at maxMessageBytes, and refuses one byte more with a hint", async () => {
    const message = {
      ...ok,
      messageId: "<size@example.test>",
      attachments: [{ content: "x".repeat(1000) }],
    };
    const probe = open();
    const size = Buffer.byteLength(
      JSON.stringify((await probe.queue.getJob(await probe.enqueue(message)))!.data),
    );
    expect(DEFAULT_MAX_MESSAGE_BYTES).toBe(512 * 1024);
    await expect(open({ maxMessageBytes: size + 1 }).enqueue(message)).resolves.toBeTypeOf(
      "string",
    );
    await expect(open({ maxMessageBytes: size }).enqueue(message)).resolves.toBeTypeOf("string");
    const over = open({ maxMessageBytes: size - 1 });
    await refused(
      over.enqueue(message),
      new RegExp(`${size} bytes, over .*maxMessageBytes \\(${size - 1}\\).*path`),
    );
    expect(await count(over)).toBe(0);
  });

  it("enqueueMany checks every message first and queues all or none", async () => {
    const queue = open();
    await refused(
      queue.enqueueMany([{ message: ok }, { message: { ...ok, to: "bad" } }, { message: ok }]),
      /^items\[1\]: to/,
    );
    expect(await count(queue)).toBe(0);
    const ids = await queue.enqueueMany([
      { message: ok },
      { message: ok, options: { priority: 5 } },
    ]);
    expect(ids).toHaveLength(2);
    expect(await count(queue)).toBe(2);
    expect(await queue.enqueueMany([])).toEqual([]);
  });

  it("applies delay, priority, jobId and attempts, and refuses bad ones", async () => {
    const queue = open();
    const id = await queue.enqueue(ok, {
      delay: 60_000,
      priority: 3,
      jobId: "order-7",
      attempts: 2,
    });
    expect(id).toBe("order-7");
    const job = (await queue.queue.getJob(id))!;
    expect(await job.getState()).toBe("delayed");
    expect(job.opts).toMatchObject({ delay: 60_000, priority: 3, attempts: 2 });
    for (const [options, pattern] of [
      [{ delay: -1 }, /delay/],
      [{ delay: 1.5 }, /delay/],
      [{ priority: 0 }, /priority/],
      [{ priority: 2 ** 21 }, /priority/],
      [{ jobId: "123" }, /jobId/],
      [{ jobId: "a:b" }, /jobId/],
      [{ jobId: "" }, /jobId/],
      [{ attempts: 0 }, /attempts/],
    ] as const) {
      await refused(queue.enqueue(ok, options as never), pattern);
    }
    await expect(queue.enqueue(ok, { priority: 2 ** 21 - 1 })).resolves.toBeTypeOf("string");
  });
});

describe("createMailQueue options", () => {
  it("refuses a bad name or limit at once", () => {
    expect(() => createMailQueue({ connection: "redis://127.0.0.1:1", name: "" })).toThrow(
      SmtpError,
    );
    expect(() => createMailQueue({ connection: "redis://127.0.0.1:1", name: "a:b" })).toThrow(
      /name/,
    );
    expect(() =>
      createMailQueue({ connection: "redis://127.0.0.1:1", name: "a", maxMessageBytes: 0 }),
    ).toThrow(/maxMessageBytes/);
    expect(() =>
      createMailQueue({ connection: "redis://127.0.0.1:1", name: "a", attempts: 1.5 }),
    ).toThrow(/attempts/);
  });
});
