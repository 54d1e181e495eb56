import { createClient } from "@smtp/client";
import { type SmtpServerPeer, startSmtpServerPeer } from "@smtp-internal/test-peer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeSession, FakeTransport, toyServer } from "./fakes.ts";
import { liveHandles } from "./helpers.ts";

const USER = "user@example.test";

describe("pool: NOOP health check and rate limit", () => {
  let peer: SmtpServerPeer;
  beforeAll(async () => {
    peer = await startSmtpServerPeer({ tls: "none" });
  });
  afterAll(() => peer?.close());

  it("probes a connection with NOOP before reusing it after noopAfterIdle", async () => {
    const lines: string[] = [];
    const client = createClient({
      host: peer.host,
      port: peer.port,
      pool: { maxConnections: 1, noopAfterIdle: 0 },
      transcript: (e) => lines.push(`${e.direction} ${e.text}`),
    });
    await client.send({ from: USER, to: "a@example.test", text: "1" });
    expect(lines).not.toContain("C NOOP");
    await client.send({ from: USER, to: "a@example.test", text: "2" });
    await client.close();
    const noop = lines.indexOf("C NOOP");
    const secondMail = lines.lastIndexOf(lines.filter((l) => l.startsWith("C MAIL FROM")).at(-1)!);
    expect(noop).toBeGreaterThan(0);
    expect(noop).toBeLessThan(secondMail);
  });

  it("does not probe a connection that was just used", async () => {
    const lines: string[] = [];
    const client = createClient({
      host: peer.host,
      port: peer.port,
      pool: { maxConnections: 1, noopAfterIdle: 60_000 },
      transcript: (e) => lines.push(e.text),
    });
    await client.send({ from: USER, to: "a@example.test", text: "1" });
    await client.send({ from: USER, to: "a@example.test", text: "2" });
    await client.close();
    // Both messages went over the one connection the transcript shows, without NOOP between.
    expect(lines.filter((l) => l.startsWith("EHLO "))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith("MAIL FROM:"))).toHaveLength(2);
    expect(lines).toContain("QUIT");
    expect(lines).not.toContain("NOOP");
  });

  it("starts at most rateLimit.messages messages per interval", async () => {
    // A scripted engine records when each message is handed over, which is what the limit governs.
    const starts: number[] = [];
    const sessionFactory = () => {
      const session = new FakeSession();
      const send = session.send.bind(session);
      session.send = (job, now) => {
        starts.push(performance.now());
        return send(job, now);
      };
      return session;
    };
    const base = liveHandles();
    const client = createClient(
      {
        host: "mx.example.test",
        transport: async () => new FakeTransport(toyServer({ HELLO: "ready" })),
        pool: { maxConnections: 2, rateLimit: { messages: 2, interval: 80 } },
      },
      { sessionFactory },
    );
    await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        client.send({ from: USER, to: "a@example.test", text: `${i}` }),
      ),
    );
    await client.close();
    expect(starts).toHaveLength(7);
    // Any three consecutive starts span at least one interval.
    for (let i = 2; i < starts.length; i++) {
      expect(starts[i]! - starts[i - 2]!).toBeGreaterThanOrEqual(79);
    }
    expect(liveHandles().timers).toBeLessThanOrEqual(base.timers);
  });
});
