import { describe, expect, it } from "vitest";
import { SmtpError } from "../errors.ts";
import { reset, Scripted, text, tick } from "./scripted-transport.test-util.ts";

describe("GuardedTransport", () => {
  it("one read at a time; a chunk, then null at end-of-stream and after", async () => {
    const t = new Scripted();
    const first = t.read();
    await expect(t.read()).rejects.toThrow("already pending");
    t.settle("receive", { value: text("220") });
    expect(await first).toEqual(text("220"));
    const second = t.read();
    t.settle("receive", { value: null });
    expect(await second).toBeNull();
    expect(await t.read()).toBeNull();
    expect(t.log).toEqual(["receive", "receive"]);
  });

  it("writes go to the runtime one after another, in order", async () => {
    const t = new Scripted();
    const a = t.write(text("a"));
    const b = t.write(text("b"));
    await tick();
    expect(t.log).toEqual(["send a"]);
    t.settle("send a");
    await a;
    await tick();
    expect(t.log).toEqual(["send a", "send b"]);
    t.settle("send b");
    await b;
  });

  it("the first failure is kept: the connection is released and every operation repeats it", async () => {
    const t = new Scripted();
    const reading = t.read();
    const writing = t.write(text("a"));
    const queued = t.write(text("b"));
    await tick();
    t.settle("receive", { error: reset });
    const error = await reading.catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "connection", detail: "ECONNRESET", cause: reset });
    await expect(writing).rejects.toBe(error);
    await expect(queued).rejects.toBe(error);
    await expect(t.read()).rejects.toBe(error);
    await expect(t.write(text("c"))).rejects.toBe(error);
    await expect(t.startTls({ servername: "mx.test" })).rejects.toBe(error);
    await t.close();
    expect(t.destroyed).toBeGreaterThan(0);
    expect(t.log).not.toContain("send b");
  });

  it("close(): the pending read gets null, writes reject, the runtime shuts down; repeatable", async () => {
    const t = new Scripted();
    const reading = t.read();
    const writing = t.write(text("a"));
    await tick();
    const closing = t.close();
    expect(t.close()).toBe(closing);
    expect(await reading).toBeNull();
    await expect(writing).rejects.toMatchObject({ kind: "connection" });
    expect(t.log).toContain("shutdown");
    let closed = false;
    void closing.then(() => {
      closed = true;
    });
    t.settle("shutdown");
    await tick();
    // The read and the write the runtime still runs must settle before close() resolves.
    expect(closed).toBe(false);
    t.settle("receive", { value: text("late") });
    t.settle("send a");
    await closing;
    expect(await t.read()).toBeNull();
    await expect(t.write(text("x"))).rejects.toMatchObject({ kind: "connection" });
    await expect(t.startTls({ servername: "x" })).rejects.toMatchObject({ kind: "connection" });
  });

  it("a shutdown that fails destroys the connection instead", async () => {
    const t = new Scripted();
    const closing = t.close();
    t.settle("shutdown", { error: new Error("EBADF") });
    await closing;
    expect(t.destroyed).toBe(2);
  });

  it("abort(): idempotent, an SmtpError reason is what pending writes reject with", async () => {
    const t = new Scripted();
    const reading = t.read();
    const writing = t.write(text("a"));
    const reason = new SmtpError({ kind: "timeout", phase: "data-end", message: "late" });
    t.abort(reason);
    t.abort(new Error("again"));
    expect(await reading).toBeNull();
    await expect(writing).rejects.toBe(reason);
    await t.close();
    expect(t.destroyed).toBe(2);
    t.abort();
    expect(t.destroyed).toBe(2);
  });

  it("abort() cuts a graceful close short", async () => {
    const t = new Scripted();
    const closing = t.close();
    t.abort();
    await closing;
    // abort() destroys, so does the shutdown it fails, and the release once at the end.
    expect(t.destroyed).toBe(3);
  });

  it("startTls waits for the writes before it, then upgrades and reports secure", async () => {
    const t = new Scripted();
    const writing = t.write(text("STARTTLS"));
    const upgrading = t.startTls({ servername: "mx.test" });
    await expect(t.read()).rejects.toThrow("during the STARTTLS handshake");
    await expect(t.startTls({ servername: "mx.test" })).rejects.toThrow("already");
    await expect(t.write(text("x"))).rejects.toMatchObject({ kind: "connection" });
    await tick();
    expect(t.log).toEqual(["send STARTTLS"]);
    t.settle("send");
    await writing;
    await tick();
    expect(t.log).toEqual(["send STARTTLS", "upgrade mx.test"]);
    t.settle("upgrade");
    await upgrading;
    expect(t.secure).toBe(true);
    expect(t.endingAfterUpgrade).toBe(false);
    await expect(t.startTls({ servername: "mx.test" })).rejects.toThrow("already secure");
  });

  it("startTls refuses while a read is pending", async () => {
    const t = new Scripted();
    const reading = t.read();
    await expect(t.startTls({ servername: "mx.test" })).rejects.toThrow("read() is pending");
    t.settle("receive", { value: null });
    await reading;
  });

  it("a failed upgrade is mapped with the STARTTLS stage and ends the connection", async () => {
    const t = new Scripted();
    const upgrading = t.startTls({ servername: "mx.test" });
    await tick();
    const cause = Object.assign(new Error("bad name"), { code: "ERR_TLS_CERT_ALTNAME_INVALID" });
    t.settle("upgrade", { error: cause });
    const error = await upgrading.catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "tls", detail: "ERR_TLS_CERT_ALTNAME_INVALID" });
    expect(t.secure).toBe(false);
    await expect(t.write(text("x"))).rejects.toBe(error);
  });

  it("close() during STARTTLS aborts it; a write failing meanwhile skips the upgrade", async () => {
    const t = new Scripted();
    const upgrading = t.startTls({ servername: "mx.test" });
    const closing = t.close();
    await expect(upgrading).rejects.toMatchObject({ kind: "aborted" });
    await closing;
    const u = new Scripted();
    const writing = u.write(text("STARTTLS"));
    const upgrade = u.startTls({ servername: "mx.test" });
    await tick();
    u.settle("send", { error: reset });
    await expect(writing).rejects.toMatchObject({ detail: "ECONNRESET" });
    await expect(upgrade).rejects.toMatchObject({ detail: "ECONNRESET" });
    await tick();
    expect(u.log).toEqual(["send STARTTLS"]);
  });

  it("an upgrade that completes after abort() sees `ending`, and close() waits for it", async () => {
    const t = new Scripted();
    const upgrading = t.startTls({ servername: "mx.test" }).catch((e: unknown) => e);
    await tick();
    const pendingUpgrade = t.pending.find((p) => p.op.startsWith("upgrade"));
    // This runtime's destroy() would settle it; hold it back to see what upgrade() sees.
    t.pending.length = 0;
    t.abort(new Error("stop"));
    expect(await upgrading).toMatchObject({ kind: "aborted" });
    let closed = false;
    const closing = t.close().then(() => {
      closed = true;
    });
    await tick();
    expect(closed).toBe(false);
    pendingUpgrade?.done.resolve(undefined);
    await closing;
    expect(t.endingAfterUpgrade).toBe(true);
    expect(t.secure).toBe(false);
  });

  it("starts secure with implicit TLS", () => {
    expect(new Scripted(true).secure).toBe(true);
  });

  it("a write goes to the runtime at once when no write is pending, also after earlier writes", async () => {
    const t = new Scripted();
    const a = t.write(text("a"));
    expect(t.log).toEqual(["send a"]);
    t.settle("send a");
    await a;
    const b = t.write(text("b"));
    expect(t.log).toEqual(["send a", "send b"]);
    // So bytes written just before close() still reach the runtime before its shutdown.
    const closing = t.close();
    expect(t.log).toEqual(["send a", "send b", "shutdown"]);
    await expect(b).rejects.toMatchObject({ kind: "connection" });
    t.settle("send b");
    t.settle("shutdown");
    await closing;
  });

  it("a send that throws at once fails the write like a rejected one", async () => {
    const t = new Scripted();
    t.throwOnSend = reset;
    const error = await t.write(text("a")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmtpError);
    expect(error).toMatchObject({
      kind: "connection",
      detail: "ECONNRESET",
      retryable: true,
      message: "writing to mx.test:25 failed: ECONNRESET: reset",
      cause: reset,
    });
    await expect(t.read()).rejects.toBe(error);
  });

  it("a failed read is reported as reading from the peer", async () => {
    const t = new Scripted();
    const reading = t.read();
    t.settle("receive", { error: reset });
    await expect(reading).rejects.toMatchObject({
      kind: "connection",
      message: "reading from mx.test:25 failed: ECONNRESET: reset",
    });
  });

  it("after close(), writes and startTls are refused, naming the peer and the operation", async () => {
    const t = new Scripted();
    const pending = t.write(text("a"));
    const closing = t.close();
    await expect(pending).rejects.toMatchObject({
      kind: "connection",
      retryable: true,
      message: "the connection to mx.test:25 is closed (write)",
    });
    await expect(t.write(text("b"))).rejects.toMatchObject({
      message: "the connection to mx.test:25 is closed (write)",
    });
    await expect(t.startTls({ servername: "mx.test" })).rejects.toMatchObject({
      kind: "connection",
      message: "the connection to mx.test:25 is closed (startTls)",
    });
    t.settle("send a");
    t.settle("shutdown");
    await closing;
  });

  it("an upgrade failing with an unknown error is a TLS failure of the STARTTLS handshake", async () => {
    const t = new Scripted();
    const upgrading = t.startTls({ servername: "mx.test" });
    await tick();
    t.settle("upgrade", { error: new Error("boom") });
    await expect(upgrading).rejects.toMatchObject({
      kind: "tls",
      retryable: false,
      message: "the STARTTLS handshake with mx.test:25 failed: boom",
    });
  });

  it("after STARTTLS the connection reads and writes again", async () => {
    const t = new Scripted();
    const upgrading = t.startTls({ servername: "mx.test" });
    await tick();
    t.settle("upgrade");
    await upgrading;
    const reading = t.read();
    t.settle("receive", { value: text("250 ok") });
    expect(await reading).toEqual(text("250 ok"));
    const writing = t.write(text("EHLO"));
    t.settle("send EHLO");
    await writing;
    expect(t.log).toEqual(["upgrade mx.test", "receive", "send EHLO"]);
  });

  it("`ending` is true from close() on, also once it has resolved", async () => {
    const t = new Scripted();
    expect(t.isEnding).toBe(false);
    const closing = t.close();
    expect(t.isEnding).toBe(true);
    t.settle("shutdown");
    await closing;
    expect(t.endingAtDestroy).toEqual([true]);
    expect(t.isEnding).toBe(true);
  });

  it("`ending` is true as soon as a failure releases the connection", async () => {
    const t = new Scripted();
    const reading = t.read();
    t.settle("receive", { error: reset });
    await reading.catch(() => {});
    await t.close();
    expect(t.endingAtDestroy).toEqual([true, true]);
    expect(t.isEnding).toBe(true);
  });

  it("abort() after close() has resolved leaves the released runtime alone", async () => {
    const t = new Scripted();
    const closing = t.close();
    t.settle("shutdown");
    await closing;
    expect(t.destroyed).toBe(1);
    t.abort(new Error("late"));
    expect(t.destroyed).toBe(1);
    await t.close();
    expect(t.destroyed).toBe(1);
  });

  it("close() waits for an operation the runtime settles from a later task of its event loop", async () => {
    const t = new Scripted();
    const reading = t.read();
    const closing = t.close();
    expect(await reading).toBeNull();
    setTimeout(() => {
      t.settle("shutdown");
      t.settle("receive", { value: null });
    }, 0);
    await closing;
    expect(t.pending).toEqual([]);
  });
});
