import { describe, expect, it } from "vitest";
import { MemoryPipe } from "./memory-pipe.ts";
import { pending } from "./pending.test-util.ts";

const bytes = (n: number, fill = 1): Uint8Array => new Uint8Array(n).fill(fill);

describe("MemoryPipe", () => {
  it("a waiting write is released once the unread bytes are at the high-water mark, not above", async () => {
    const pipe = new MemoryPipe(4);
    await pipe.write(bytes(1));
    const blocked = pipe.write(bytes(4));
    expect(pipe.size).toBe(5);
    expect(await pending(blocked)).toBe(true);
    await pipe.read();
    expect(pipe.size).toBe(4);
    expect(await pending(blocked)).toBe(false);
  });

  it("a waiting write stays blocked while a read leaves more than the high-water mark", async () => {
    const pipe = new MemoryPipe(4);
    await pipe.write(bytes(1));
    const blocked = pipe.write(bytes(5));
    await pipe.read();
    expect(pipe.size).toBe(5);
    expect(await pending(blocked)).toBe(true);
    await pipe.read();
    expect(await pending(blocked)).toBe(false);
  });

  it("end(): a pending read gets null, a later write fails with EPIPE", async () => {
    const pipe = new MemoryPipe(4);
    const reading = pipe.read();
    pipe.end();
    expect(await reading).toBeNull();
    expect(pipe.ended).toBe(true);
    await expect(pipe.write(bytes(1))).rejects.toMatchObject({
      code: "EPIPE",
      message: "write after end",
    });
  });

  it("reset(): reads fail with its error, writes as after end, a waiting write as the reader gone", async () => {
    const pipe = new MemoryPipe(1);
    const blocked = pipe.write(bytes(2));
    const error = new Error("reset");
    pipe.reset(error);
    await expect(blocked).rejects.toMatchObject({ code: "EPIPE", message: "the reader is gone" });
    expect(pipe.ended).toBe(true);
    expect(pipe.size).toBe(0);
    await expect(pipe.read()).rejects.toBe(error);
    await expect(pipe.write(bytes(1))).rejects.toMatchObject({
      code: "EPIPE",
      message: "write after end",
    });
    pipe.reset(new Error("again"));
    pipe.end();
    await expect(pipe.read()).rejects.toBe(error);
  });

  it("abandon(): the buffered bytes are lost, reads give null, writes fail with the first error", async () => {
    const pipe = new MemoryPipe(1);
    await pipe.write(bytes(1));
    const blocked = pipe.write(bytes(1));
    const gone = new Error("gone");
    pipe.abandon(gone);
    pipe.abandon(new Error("again"));
    await expect(blocked).rejects.toBe(gone);
    expect(pipe.size).toBe(0);
    expect(await pipe.read()).toBeNull();
    await expect(pipe.write(bytes(1))).rejects.toBe(gone);
  });
});
