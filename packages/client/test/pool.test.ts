import { createClient, type SmtpClient } from "@smtp/client";
import { type SmtpServerPeer, startSmtpServerPeer } from "@smtp-internal/test-peer";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "./helpers.ts";

const USER = "user@example.test";

let peer: SmtpServerPeer | undefined;
let client: SmtpClient | undefined;
afterEach(async () => {
  await client?.close();
  await peer?.close();
  client = undefined;
  peer = undefined;
});

async function subjects(p: SmtpServerPeer): Promise<string[]> {
  return Promise.all(p.received.map(async (m) => (await parse(m.raw)).subject ?? ""));
}

/** Polls `condition` (every 10 ms) until it holds; fails after `ms`. Asserts outcomes, not timing. */
async function until(condition: () => boolean, ms = 5_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > ms) throw new Error("condition not met");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function sendMany(c: SmtpClient, n: number, prefix = "m") {
  return Promise.all(
    Array.from({ length: n }, (_, i) =>
      c.send({ from: USER, to: "a@example.test", subject: `${prefix}-${i}`, text: `body ${i}\n` }),
    ),
  );
}

describe("pool", () => {
  it("uses at most maxConnections at once, recycles after maxMessages, delivers each message once", async () => {
    const p = await startSmtpServerPeer({ tls: "none" });
    peer = p;
    let maxOpen = 0;
    client = createClient({
      host: p.host,
      port: p.port,
      pool: { maxConnections: 3, maxMessages: 5 },
      transcript: () => {
        maxOpen = Math.max(maxOpen, p.openConnections());
      },
    });
    const results = await sendMany(client, 40);
    expect(results.every((r) => r.accepted.length === 1)).toBe(true);
    expect(maxOpen).toBeLessThanOrEqual(3);
    expect(maxOpen).toBeGreaterThan(1);
    const perSession = new Map<string, number>();
    for (const m of p.received) perSession.set(m.sessionId, (perSession.get(m.sessionId) ?? 0) + 1);
    expect(Math.max(...perSession.values())).toBeLessThanOrEqual(5);
    expect(perSession.size).toBeGreaterThanOrEqual(8);
    const got = await subjects(p);
    expect(got.sort()).toEqual(Array.from({ length: 40 }, (_, i) => `m-${i}`).sort());
  });

  it("pipelines: the next envelope goes out before the previous message's final reply", async () => {
    const p = await startSmtpServerPeer({ tls: "none" });
    peer = p;
    const lines: string[] = [];
    client = createClient({
      host: p.host,
      port: p.port,
      pool: { maxConnections: 1 },
      transcript: (e) => lines.push(`${e.direction} ${e.text}`),
    });
    await sendMany(client, 5);
    expect(new Set(p.received.map((m) => m.sessionId)).size).toBe(1);
    const firstQueued = lines.findIndex((l) => /^S 250 .*queued/.test(l));
    const secondMail = lines.findIndex(
      (l, i) =>
        l.startsWith("C MAIL FROM") &&
        i > lines.indexOf(lines.find((x) => x.startsWith("C MAIL FROM"))!),
    );
    expect(secondMail).toBeGreaterThan(0);
    expect(secondMail).toBeLessThan(firstQueued);
  });

  it("replaces a connection the server closes with 421 and sends every message exactly once", async () => {
    const p = await startSmtpServerPeer({ tls: "none", maxMessagesPerConnection: 2 });
    peer = p;
    client = createClient({
      host: p.host,
      port: p.port,
      pool: { maxConnections: 1, maxMessages: 100 },
    });
    const results = await sendMany(client, 7, "r");
    expect(results).toHaveLength(7);
    const got = await subjects(p);
    expect(got.sort()).toEqual(Array.from({ length: 7 }, (_, i) => `r-${i}`).sort());
    expect(new Set(p.received.map((m) => m.sessionId)).size).toBeGreaterThanOrEqual(4);
  });

  it("adapts when the server refuses extra connections (421 at the greeting): every message is delivered", async () => {
    // One connection at a time: any other is turned away with 421 at the greeting.
    const accepted = new Set<string>();
    const p = await startSmtpServerPeer({
      tls: "none",
      serverOptions: {
        onConnect(session, callback) {
          if (accepted.size >= 1) {
            return callback(
              Object.assign(new Error("Too many connections"), { responseCode: 421 }),
            );
          }
          accepted.add(session.id);
          callback();
        },
        onClose(session) {
          accepted.delete(session.id);
        },
      },
    });
    peer = p;
    client = createClient({ host: p.host, port: p.port, pool: { maxConnections: 3 } });
    const results = await sendMany(client, 12, "busy");
    expect(results).toHaveLength(12);
    expect((await subjects(p)).sort()).toEqual(
      Array.from({ length: 12 }, (_, i) => `busy-${i}`).sort(),
    );
  });

  it("closes idle connections after idleTimeout and opens a new one for the next message", async () => {
    const p = await startSmtpServerPeer({ tls: "none" });
    peer = p;
    client = createClient({ host: p.host, port: p.port, pool: { idleTimeout: 30 } });
    await client.send({ from: USER, to: "a@example.test", subject: "one", text: "x" });
    await until(() => p.openConnections() === 0);
    await client.send({ from: USER, to: "a@example.test", subject: "two", text: "x" });
    expect(p.connectionCount()).toBe(2);
  });

  it("notices a server that drops an idle connection and uses a fresh one", async () => {
    const p = await startSmtpServerPeer({ tls: "none", serverOptions: { socketTimeout: 100 } });
    peer = p;
    client = createClient({ host: p.host, port: p.port, pool: { idleTimeout: 60_000 } });
    await client.send({ from: USER, to: "a@example.test", subject: "before", text: "x" });
    await until(() => p.openConnections() === 0);
    const info = await client.send({
      from: USER,
      to: "a@example.test",
      subject: "after",
      text: "x",
    });
    expect(info.accepted).toEqual(["a@example.test"]);
    expect(await subjects(p)).toEqual(["before", "after"]);
  });

  it("aborting one queued message leaves the others alone", async () => {
    const p = await startSmtpServerPeer({ tls: "none" });
    peer = p;
    client = createClient({ host: p.host, port: p.port, pool: { maxConnections: 1 } });
    const controller = new AbortController();
    const sends = Array.from({ length: 6 }, (_, i) =>
      client!.send(
        { from: USER, to: "a@example.test", subject: `q-${i}`, text: "x" },
        i === 5 ? { signal: controller.signal } : {},
      ),
    );
    controller.abort();
    const settled = await Promise.allSettled(sends);
    expect(settled.slice(0, 5).every((s) => s.status === "fulfilled")).toBe(true);
    const last = settled[5];
    expect(last?.status === "rejected" && (last.reason as { kind: string }).kind).toBe("aborted");
    expect((await subjects(p)).sort()).toEqual(["q-0", "q-1", "q-2", "q-3", "q-4"]);
  });

  it("close() waits for sends in flight, then QUITs; later sends are refused", async () => {
    const p = await startSmtpServerPeer({ tls: "none" });
    peer = p;
    const c = createClient({ host: p.host, port: p.port, pool: { maxConnections: 2 } });
    const pending = sendMany(c, 6, "c");
    await c.close();
    const results = await pending;
    expect(results).toHaveLength(6);
    expect(p.received).toHaveLength(6);
    await expect(c.send({ from: USER, to: "a@example.test", text: "x" })).rejects.toMatchObject({
      kind: "connection",
    });
    await until(() => p.openConnections() === 0);
  });
});
