import { describe, expect, it } from "vitest";
import { memoryTransportPair } from "./memory-transport.ts";
import { pending } from "./pending.test-util.ts";
import { reset, Scripted, text, tick } from "./scripted-transport.test-util.ts";

const decode = (chunk: Uint8Array | null): string | null =>
  chunk === null ? null : new TextDecoder().decode(chunk);

describe("GuardedTransport.closeWrite (a half-close after QUIT)", () => {
  it("ends the sending direction after the writes before it; reading goes on", async () => {
    const t = new Scripted(false, { halfClose: true });
    const quit = t.write(text("QUIT"));
    const ended = t.closeWrite();
    await tick();
    // The runtime is asked to end only once QUIT is out.
    expect(t.log).toEqual(["send QUIT"]);
    t.settle("send QUIT");
    await quit;
    await tick();
    expect(t.log).toEqual(["send QUIT", "endWrite"]);
    expect(await pending(ended)).toBe(true);
    t.settle("endWrite");
    await ended;
    const reading = t.read();
    t.settle("receive", { value: text("221 bye") });
    expect(decode(await reading)).toBe("221 bye");
    const last = t.read();
    t.settle("receive", { value: null });
    expect(await last).toBeNull();
  });

  it("refuses writes and STARTTLS after it, naming the write; is idempotent", async () => {
    const t = new Scripted(false, { halfClose: true });
    const ended = t.closeWrite();
    await tick();
    t.settle("endWrite");
    await ended;
    await expect(t.write(text("NOOP"))).rejects.toMatchObject({
      kind: "connection",
      message: expect.stringContaining("mx.test"),
    });
    await expect(t.startTls({ servername: "mx.test" })).rejects.toMatchObject({
      kind: "connection",
    });
    await t.closeWrite();
    expect(t.log.filter((op) => op === "endWrite")).toHaveLength(1);
    expect(t.log.some((op) => op.startsWith("send") || op.startsWith("upgrade"))).toBe(false);
  });

  it("a write already queued behind a pending one still goes out before the end", async () => {
    const t = new Scripted(false, { halfClose: true });
    const a = t.write(text("a"));
    const b = t.write(text("b"));
    const ended = t.closeWrite();
    await tick();
    t.settle("send a");
    await a;
    await tick();
    t.settle("send b");
    await b;
    await tick();
    t.settle("endWrite");
    await ended;
    expect(t.log).toEqual(["send a", "send b", "endWrite"]);
  });

  it("without a half-close in the runtime it does nothing there, and still refuses writes", async () => {
    const t = new Scripted();
    await t.closeWrite();
    expect(t.log).toEqual([]);
    await expect(t.write(text("x"))).rejects.toMatchObject({ kind: "connection" });
    const reading = t.read();
    t.settle("receive", { value: text("221") });
    expect(decode(await reading)).toBe("221");
  });

  it("after close(), abort() or a failure it does nothing", async () => {
    const closed = new Scripted(false, { halfClose: true });
    const closing = closed.close();
    await closed.closeWrite();
    closed.settle("shutdown");
    await closing;
    const aborted = new Scripted(false, { halfClose: true });
    aborted.abort();
    await aborted.closeWrite();
    const failed = new Scripted(false, { halfClose: true });
    const reading = failed.read();
    failed.settle("receive", { error: reset });
    await reading.catch(() => {});
    await failed.closeWrite();
    for (const t of [closed, aborted, failed]) expect(t.log).not.toContain("endWrite");
  });

  it("a runtime that fails to end it fails the connection: closeWrite and the reads reject", async () => {
    const t = new Scripted(false, { halfClose: true });
    const reading = t.read();
    const ended = t.closeWrite();
    await tick();
    t.settle("endWrite", { error: reset });
    const error = await ended.catch((e: unknown) => e);
    expect(error).toMatchObject({
      kind: "connection",
      detail: "ECONNRESET",
      message: expect.stringContaining("writing to mx.test"),
    });
    await expect(reading).rejects.toBe(error);
  });

  it("a close or abort while the writes before it are still out: the runtime is never asked to end", async () => {
    for (const stop of ["close", "abort"] as const) {
      const t = new Scripted(false, { halfClose: true });
      const quit = t.write(text("QUIT"));
      const ended = t.closeWrite();
      await tick();
      let closing: Promise<void> | undefined;
      if (stop === "close") {
        closing = t.close();
        // The runtime's write goes on after close() (the caller's write already rejected).
        t.settle("send QUIT");
      } else t.abort();
      await quit.catch(() => {});
      await ended;
      await tick();
      expect(t.log).not.toContain("endWrite");
      if (closing) {
        t.settle("shutdown");
        await closing;
      }
    }
  });

  it("a runtime failing to end after close() or abort() came first: closeWrite resolves, reads give null", async () => {
    for (const stop of ["close", "abort"] as const) {
      const t = new Scripted(false, { halfClose: true });
      const ended = t.closeWrite();
      await tick();
      expect(t.log).toEqual(["endWrite"]);
      let closing: Promise<void> | undefined;
      if (stop === "close") {
        closing = t.close();
        t.settle("endWrite", { error: reset });
      } else t.abort();
      await ended;
      expect(await t.read()).toBeNull();
      if (closing) {
        t.settle("shutdown");
        await closing;
      }
    }
  });

  it("during STARTTLS it does nothing", async () => {
    const t = new Scripted(false, { halfClose: true });
    const upgrading = t.startTls({ servername: "mx.test" });
    await tick();
    await t.closeWrite();
    t.settle("upgrade");
    await upgrading;
    expect(t.log).toEqual(["upgrade mx.test"]);
    // Once secure the connection writes again: the half-close did not happen.
    const w = t.write(text("EHLO"));
    await tick();
    t.settle("send EHLO");
    await w;
  });
});

describe("MemoryTransport.closeWrite", () => {
  it("the peer reads what came before, then null, and can still answer", async () => {
    const { client, server } = memoryTransportPair();
    await client.write(text("QUIT\r\n"));
    await client.closeWrite();
    expect(decode(await server.read())).toBe("QUIT\r\n");
    expect(await server.read()).toBeNull();
    await server.write(text("221 bye\r\n"));
    await server.close();
    expect(decode(await client.read())).toBe("221 bye\r\n");
    expect(await client.read()).toBeNull();
  });
});
