import { createServer, type Server, type Socket } from "node:net";
import { createClient, SmtpError } from "@smtp/client";
import { type SmtpServerPeer, startSmtpServerPeer } from "@smtp-internal/test-peer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { liveHandles, settledHandles } from "./helpers.ts";

// The network fails under a pooled, pipelining client at every point of a real conversation
// (smtp-server behind a proxy that cuts the first connection): every send ends in a typed
// error or in a success the server really has; nothing is delivered twice; a message is
// reported failed only when the server cannot have it or as maybe-delivered; the pool
// recovers; no socket or timer is left behind.

type Cut = { side: "client"; after: number } | { side: "server"; after: number };

/** A proxy to `port` whose first connection is cut: a reset once the client has sent `after`
 * bytes, or an end of stream once the server's side has sent `after` bytes to the client. */
async function cuttingProxy(port: number, cut: Cut | undefined) {
  let first = true;
  let armed = true;
  const sockets = new Set<Socket>();
  const counted = { client: 0, server: 0 };
  const server: Server = createServer((client) => {
    const cutThis = () => (measure && armed ? cut : undefined);
    const measure = first;
    first = false;
    const upstream = new (client.constructor as typeof Socket)();
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {});
    }
    let fromClient = 0;
    let fromServer = 0;
    client.on("data", (chunk: Buffer) => {
      if (measure && armed) counted.client += chunk.length;
      const c = cutThis();
      if (c?.side === "client" && fromClient + chunk.length >= c.after) {
        upstream.write(chunk.subarray(0, c.after - fromClient));
        client.resetAndDestroy();
        upstream.destroy();
        return;
      }
      fromClient += chunk.length;
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      if (measure && armed) counted.server += chunk.length;
      const c = cutThis();
      if (c?.side === "server" && fromServer + chunk.length >= c.after) {
        client.end(chunk.subarray(0, c.after - fromServer));
        upstream.destroy();
        return;
      }
      fromServer += chunk.length;
      client.write(chunk);
    });
    client.on("end", () => upstream.end());
    upstream.on("end", () => client.end());
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    upstream.connect(port, "127.0.0.1");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    counted,
    /** No cut from now on (and no more counting). */
    disarm() {
      armed = false;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let peer: SmtpServerPeer;
beforeAll(async () => {
  peer = await startSmtpServerPeer({ tls: "none" });
});
afterAll(async () => {
  await peer.close();
});

let run = 0;

/** Sends four messages at once through one pooled connection cut at `cut`, then one more. */
async function sendThroughCut(cut: Cut | undefined) {
  const proxy = await cuttingProxy(peer.port, cut);
  const client = createClient({
    host: "127.0.0.1",
    port: proxy.port,
    starttls: "never",
    name: "client.example.test",
    pool: { maxConnections: 1 },
    timeouts: { command: 2_000, data: 2_000 },
  });
  const id = ++run;
  const ids = [0, 1, 2, 3].map((i) => `<fault-${id}-${i}@example.test>`);
  const outcomes = await Promise.allSettled(
    ids.map((messageId, i) =>
      client.send({
        from: `sender${i}@example.test`,
        to: i === 2 ? ["no-such-user@example.test"] : [`rcpt${i}@example.test`],
        subject: `fault ${id}/${i}`,
        text: `message ${i}\n`.repeat(20),
        messageId,
      }),
    ),
  );
  // The pool recovers: a later send on the same client succeeds (past any cut still to come).
  proxy.disarm();
  const later = await client.send({
    from: "later@example.test",
    to: "rcpt@example.test",
    subject: "after the fault",
    text: "still here\n",
  });
  await client.close();
  await proxy.close();
  return { ids, outcomes, later, counted: proxy.counted };
}

function deliveries(messageId: string): number {
  return peer.received.filter((m) =>
    new TextDecoder().decode(m.raw).includes(`Message-ID: ${messageId}`),
  ).length;
}

function check(result: Awaited<ReturnType<typeof sendThroughCut>>, what: string): void {
  const { ids, outcomes, later } = result;
  expect(later.accepted, what).toEqual(["rcpt@example.test"]);
  outcomes.forEach((outcome, i) => {
    const where = `${what}, message ${i + 1}`;
    const count = deliveries(ids[i]!);
    expect(count, `${where}: delivered ${count} times`).toBeLessThanOrEqual(1);
    if (outcome.status === "fulfilled") {
      expect(count, `${where}: reported sent but the server has no copy`).toBe(1);
      return;
    }
    const error = outcome.reason as unknown;
    expect(error, where).toBeInstanceOf(SmtpError);
    const e = error as SmtpError;
    if (i === 2) {
      // The unknown recipient: refused by the server, whatever the cut.
      if (e.detail !== "maybe-delivered") expect(e.kind, where).toBe("rejected");
      expect(count, where).toBe(0);
      return;
    }
    // Good messages fail only when the server may have them, and then say so.
    expect(e.detail, `${where}: ${e.kind}: ${e.message}`).toBe("maybe-delivered");
    expect(e.retryable, where).toBe(false);
  });
}

describe("faults under a pooled, pipelining client (smtp-server behind a cutting proxy)", () => {
  it("without a fault: three delivered, the unknown recipient refused", async () => {
    const before = liveHandles();
    const result = await sendThroughCut(undefined);
    check(result, "no fault");
    expect(result.outcomes.map((o) => o.status)).toEqual([
      "fulfilled",
      "fulfilled",
      "rejected",
      "fulfilled",
    ]);
    const after = await settledHandles(before);
    expect(after.sockets).toBeLessThanOrEqual(before.sockets);
    expect(after.timers).toBeLessThanOrEqual(before.timers);
  });

  it("a reset after any number of client bytes, and an end of stream after any number of server bytes", async () => {
    const before = liveHandles();
    const baseline = await sendThroughCut(undefined);
    const { client: clientBytes, server: serverBytes } = baseline.counted;
    expect(clientBytes).toBeGreaterThan(1000);
    // Every 23rd offset of each side's stream (and the first and last few), to keep it brisk.
    const offsets = (total: number) => {
      const set = new Set<number>([1, 2, 3, total - 2, total - 1]);
      for (let at = 1; at < total; at += 23) set.add(at);
      return [...set].filter((n) => n > 0 && n < total).sort((a, b) => a - b);
    };
    for (const after of offsets(clientBytes)) {
      check(await sendThroughCut({ side: "client", after }), `reset after ${after} client bytes`);
    }
    for (const after of offsets(serverBytes)) {
      check(await sendThroughCut({ side: "server", after }), `EOF after ${after} server bytes`);
    }
    const after = await settledHandles(before);
    expect(after.sockets).toBeLessThanOrEqual(before.sockets);
    expect(after.timers).toBeLessThanOrEqual(before.timers);
  }, 120_000);
});
