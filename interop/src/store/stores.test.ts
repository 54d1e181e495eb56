import { mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { captureStore } from "./capture-store.ts";
import { maildirStore } from "./maildir-store.ts";
import { waitForArrivals } from "./message-store.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "interop-store-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const message = (id: string, from: string) =>
  `Return-Path: <${from}>\nDelivered-To: user@example.test\nMessage-ID: <${id}>\nSubject: s\n\nbody\n`;

/** Delivers like a Maildir agent: written in tmp/, then renamed into new/. */
async function deliver(box: string, name: string, text: string): Promise<void> {
  await mkdir(join(box, "tmp"), { recursive: true });
  await mkdir(join(box, "new"), { recursive: true });
  await writeFile(join(box, "tmp", name), text);
  await rename(join(box, "tmp", name), join(box, "new", name));
}

describe("maildirStore", () => {
  it("lists only what arrived after the mark, with Message-ID, Return-Path and mailbox", async () => {
    const user = join(dir, "user");
    const sink = join(dir, "sink");
    await deliver(user, "1.old", message("old@x", "a@x"));
    const store = maildirStore([user, sink, join(dir, "missing")]);
    const mark = await store.mark();
    await deliver(sink, "2.new", message("new@x", "b@x"));
    const arrived = await store.arrivedSince(mark);
    expect(arrived.map((m) => [m.messageId, m.envelopeFrom, m.mailbox])).toEqual([
      ["new@x", "b@x", "sink"],
    ]);
  });
});

describe("captureStore", () => {
  it("counts a message once its envelope JSON exists, and takes the envelope from it", async () => {
    const store = captureStore(dir);
    const mark = await store.mark();
    await writeFile(join(dir, "a.eml"), "Message-ID: <m1@x>\r\n\r\nbody\r\n");
    expect(await store.arrivedSince(mark)).toEqual([]);
    await writeFile(
      join(dir, "a.json"),
      JSON.stringify({ from: "s@x", to: ["user@example.test"] }),
    );
    const [m] = await store.arrivedSince(mark);
    expect([m?.messageId, m?.envelopeFrom, m?.envelopeTo]).toEqual([
      "m1@x",
      "s@x",
      ["user@example.test"],
    ]);
  });

  it("reads a folder that does not exist yet as empty", async () => {
    const store = captureStore(join(dir, "later"));
    expect(await store.arrivedSince(await store.mark())).toEqual([]);
  });
});

describe("waitForArrivals", () => {
  it("waits for the expected ones, keeps only the caller's, and sees late extras while settling", async () => {
    const box = join(dir, "user");
    const store = maildirStore([box]);
    const mark = await store.mark();
    setTimeout(() => void deliver(box, "1", message("run.a.1", "s@x")), 150);
    setTimeout(() => void deliver(box, "2", message("other-suite", "s@x")), 160);
    setTimeout(() => void deliver(box, "3", message("run.a.2", "s@x")), 300);
    const arrived = await waitForArrivals(store, mark, {
      expected: ["run.a.1"],
      belongs: (id) => id.startsWith("run.a."),
      timeoutMs: 5000,
      settleMs: 400,
    });
    expect(arrived.map((m) => m.messageId).sort()).toEqual(["run.a.1", "run.a.2"]);
  });

  it("gives up after the timeout and returns what arrived", async () => {
    const store = maildirStore([join(dir, "user")]);
    const started = Date.now();
    const arrived = await waitForArrivals(store, await store.mark(), {
      expected: ["never"],
      belongs: () => true,
      timeoutMs: 200,
      settleMs: 0,
    });
    expect(arrived).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
  });
});
