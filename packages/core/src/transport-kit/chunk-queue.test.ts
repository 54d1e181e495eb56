import { describe, expect, it } from "vitest";
import { SmtpError } from "../errors.ts";
import { ChunkQueue } from "./chunk-queue.ts";

const bytes = (n: number, fill = 1): Uint8Array => new Uint8Array(n).fill(fill);

function queue(highWaterMark = 10) {
  const events: string[] = [];
  const q = new ChunkQueue({
    highWaterMark,
    pause: () => events.push("pause"),
    resume: () => events.push("resume"),
  });
  return { q, events };
}

describe("ChunkQueue", () => {
  it("hands chunks out in order, to a waiting taker at once", async () => {
    const { q } = queue();
    const waiting = q.take();
    q.push(bytes(1, 7));
    expect(await waiting).toEqual(bytes(1, 7));
    q.push(bytes(2, 8));
    q.push(bytes(0));
    q.push(bytes(3, 9));
    expect(q.size).toBe(5);
    expect(await q.take()).toEqual(bytes(2, 8));
    expect(await q.take()).toEqual(bytes(3, 9));
    expect(q.size).toBe(0);
  });

  it("pauses at the high-water mark, not just under it, and resumes below it", async () => {
    const { q, events } = queue(10);
    q.push(bytes(5));
    q.push(bytes(4));
    expect(events).toEqual([]);
    q.push(bytes(1));
    expect(events).toEqual(["pause"]);
    q.push(bytes(5));
    expect(events).toEqual(["pause"]);
    await q.take();
    expect(q.size).toBe(10);
    expect(events).toEqual(["pause"]);
    await q.take();
    expect(events).toEqual(["pause", "resume"]);
  });

  it("pauses again when the reader falls behind after a resume", async () => {
    const { q, events } = queue(4);
    q.push(bytes(4));
    await q.take();
    expect(events).toEqual(["pause", "resume"]);
    q.push(bytes(3));
    expect(events).toEqual(["pause", "resume"]);
    q.push(bytes(1));
    expect(events).toEqual(["pause", "resume", "pause"]);
    await q.take();
    expect(events).toEqual(["pause", "resume", "pause", "resume"]);
  });

  it("ends and fails only after the chunks before", async () => {
    const ended = queue().q;
    ended.push(bytes(1));
    ended.end();
    ended.push(bytes(1));
    expect(await ended.take()).toEqual(bytes(1));
    expect(await ended.take()).toBeNull();
    const failed = queue().q;
    const waiting = failed.take();
    const error = new Error("reset");
    failed.fail(error);
    failed.fail(new Error("later"));
    await expect(waiting).rejects.toBe(error);
    await expect(failed.take()).rejects.toBe(error);
  });

  it("allows one take at a time", async () => {
    const { q } = queue();
    const first = q.take();
    await expect(q.take()).rejects.toThrow("already pending");
    q.end();
    expect(await first).toBeNull();
  });

  it("discard drops everything, now and later, ends the queue and resumes the source", async () => {
    const { q, events } = queue(4);
    q.push(bytes(4));
    q.discard();
    q.push(bytes(2));
    expect(q.size).toBe(0);
    expect(events).toEqual(["pause", "resume"]);
    expect(await q.take()).toBeNull();
  });

  it("discard resumes only a paused source, and only once", async () => {
    const running = queue(4);
    running.q.push(bytes(3));
    running.q.discard();
    expect(running.events).toEqual([]);
    const paused = queue(4);
    paused.q.push(bytes(4));
    paused.q.discard();
    paused.q.discard();
    expect(paused.events).toEqual(["pause", "resume"]);
    expect(await paused.q.take()).toBeNull();
  });

  it("assertDrained refuses an upgrade over unread bytes (STARTTLS injection)", () => {
    const { q } = queue();
    expect(() => q.assertDrained({ host: "h", port: 1 })).not.toThrow();
    q.push(bytes(1));
    let error: unknown;
    try {
      q.assertDrained({ host: "h", port: 1 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SmtpError);
    expect(error).toMatchObject({ kind: "protocol", detail: "starttls-injection" });
  });
});
