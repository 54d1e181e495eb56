import { createClient } from "@smtp/client";
import type { Connector } from "@smtp/core/transport-kit";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  carried,
  idle,
  loadEngine,
  markedMessage,
  outcome,
  type Script,
  scripted,
} from "./fakes.ts";

// Loads the engine before the clock stands still.
beforeAll(loadEngine);

// The pool's clock (performance.now) and timers are fake: every time below is exact.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
});
afterEach(() => {
  vi.useRealTimers();
});

/**
 * A rate-limited client over scripted connections that take `connectMs` to open; `starts`
 * records the (fake) time each message was handed to a session.
 */
function rateClient(
  rateLimit: { messages: number; interval: number },
  pool: Record<string, number> = {},
  connectMs = 0,
  script: Script = {},
) {
  const s = scripted([script]);
  const starts: number[] = [];
  let connects = 0;
  const connector: Connector = async (target, signal) => {
    connects++;
    if (connectMs > 0) await new Promise((resolve) => setTimeout(resolve, connectMs));
    return s.connector(target, signal);
  };
  const client = createClient(
    {
      host: "mx.example.test",
      name: "client.example.test",
      transport: connector,
      pool: { maxConnections: 1, ...pool, rateLimit },
    },
    {
      sessionFactory: (options) => {
        const session = s.sessionFactory();
        const send = session.send.bind(session);
        session.send = (job, now) => {
          starts.push(now);
          return send(job, now);
        };
        void options;
        return session;
      },
    },
  );
  return { client, starts, s, connecting: () => connects > 0 };
}

/** Runs the loops (fake time standing still) until `condition` holds. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await idle();
  expect(condition()).toBe(true);
}

describe("pool.rateLimit on a fake clock", () => {
  it("a message starts when its connection is ready, and the next one exactly an interval later", async () => {
    // The connection takes 50 ms to open: the first message counts from then, not from 0.
    const { client, starts, connecting } = rateClient({ messages: 1, interval: 100 }, {}, 50);
    const sends = [0, 1, 2].map((i) => client.send(markedMessage(i)));
    await until(connecting);
    await vi.advanceTimersByTimeAsync(50);
    await idle();
    expect(starts).toEqual([50]);
    // The pool sleeps until the window opens, with one timer: the next one fires at 150.
    await vi.advanceTimersToNextTimerAsync();
    await idle();
    expect(performance.now()).toBe(150);
    expect(starts).toEqual([50, 150]);
    await vi.advanceTimersToNextTimerAsync();
    await idle();
    expect(performance.now()).toBe(250);
    expect(starts).toEqual([50, 150, 250]);
    expect(await Promise.all(sends)).toHaveLength(3);
    await client.close();
  });

  it("messages waiting while the connection is still opening make the pool open more, up to maxConnections", async () => {
    // Under a rate limit a connection is opened before it takes its message: the second
    // message opens a second connection rather than counting on the first one.
    const { client, starts, s } = rateClient(
      { messages: 2, interval: 1_000 },
      { maxConnections: 2 },
      50,
    );
    const sends = [0, 1, 2].map((i) => client.send(markedMessage(i)));
    await vi.advanceTimersByTimeAsync(50);
    expect(await Promise.all(sends.slice(0, 2))).toHaveLength(2);
    expect(s.transports).toHaveLength(2);
    expect(starts).toEqual([50, 50]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await sends[2]).toMatchObject({ accepted: ["a@example.test"] });
    expect(s.transports).toHaveLength(2);
    await client.close();
  });

  it("close() while the connection opened for a held-back message is still opening keeps it for that message", async () => {
    const { client, starts, s } = rateClient({ messages: 1, interval: 100 }, {}, 50);
    const sending = outcome(client.send(markedMessage(0)));
    await vi.advanceTimersByTimeAsync(10);
    const closing = client.close();
    await vi.advanceTimersByTimeAsync(40);
    expect(await sending).toMatchObject({ accepted: ["a@example.test"] });
    await closing;
    expect(starts).toEqual([50]);
    expect(carried(s)).toEqual([["<<m0>>"]]);
  });

  for (const [idleTimeout, connections, what] of [
    [60_000, 1, "which then goes on the same connection"],
    // idleTimeout 0: the connection is gone before the second message is sent.
    [0, 2, "even when no connection is open"],
  ] as const) {
    it(`close() waits for a message the limit holds back, ${what}`, async () => {
      const { client, starts, s } = rateClient({ messages: 1, interval: 10_000 }, { idleTimeout });
      await client.send(markedMessage(0));
      await idle();
      expect(s.transports[0]!.closes).toBe(idleTimeout === 0 ? 1 : 0);
      const second = outcome(client.send(markedMessage(1)));
      let closed = false;
      const closing = client.close().then(() => {
        closed = true;
      });
      await idle();
      expect(closed).toBe(false);
      await vi.advanceTimersByTimeAsync(10_000);
      await idle();
      expect(await second).toMatchObject({ accepted: ["a@example.test"] });
      await closing;
      expect(starts).toEqual([0, 10_000]);
      expect(s.transports).toHaveLength(connections);
    });
  }

  it("aborting the held-back message lets close() finish at once, leaving no timer behind", async () => {
    const { client, s } = rateClient({ messages: 1, interval: 10_000 });
    await client.send(markedMessage(0));
    const controller = new AbortController();
    const second = outcome(client.send(markedMessage(1), { signal: controller.signal }));
    await idle();
    let closed = false;
    const closing = client.close().then(() => {
      closed = true;
    });
    await idle();
    expect(closed).toBe(false);
    controller.abort();
    expect(await second).toMatchObject({ kind: "aborted" });
    await idle();
    expect(closed).toBe(true);
    await closing;
    expect(s.transports[0]!.closes).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("after the server turns a connection away, fewer connections for 60 s", () => {
  function capClient(scripts: Script[], pool: Record<string, number> = {}) {
    const s = scripted(scripts);
    const client = createClient(
      {
        host: "mx.example.test",
        name: "client.example.test",
        transport: s.connector,
        pool: { maxConnections: 2, maxInFlight: 1, idleTimeout: 600_000, ...pool },
      },
      { sessionFactory: s.sessionFactory },
    );
    return { s, client };
  }
  const enc = new TextEncoder();

  it("one connection less until exactly 60 s after the refusal", async () => {
    // The first connection answers each end of data when told; the second is turned away
    // before it is ready (while the first is open); later ones work.
    const { s, client } = capClient([{ ".": undefined }, { HELLO: null }, {}]);
    const first = outcome(client.send(markedMessage(0)));
    await until(() => s.transports[0]?.writes.includes(".\r\n") === true);
    const second = outcome(client.send(markedMessage(1)));
    await until(() => s.transports[1]?.finished === 1);
    // The turned-away message waits for the first connection: no third one.
    await idle();
    expect(s.transports).toHaveLength(2);
    s.transports[0]!.push(enc.encode("ok"));
    await until(() => s.sessions[0]!.given === 2);
    s.transports[0]!.push(enc.encode("ok"));
    expect(await first).toMatchObject({ accepted: ["a@example.test"] });
    expect(await second).toMatchObject({ accepted: ["a@example.test"] });

    // Just under 60 s: still one connection at most.
    await vi.advanceTimersByTimeAsync(59_999);
    const third = outcome(client.send(markedMessage(2)));
    const fourth = outcome(client.send(markedMessage(3)));
    await until(() => s.sessions[0]!.given === 3);
    await idle();
    expect(s.transports).toHaveLength(2);
    // At 60 s the pool may grow again: the waiting message gets a connection of its own.
    await vi.advanceTimersByTimeAsync(1);
    const fifth = outcome(client.send(markedMessage(4)));
    expect(await fourth).toMatchObject({ accepted: ["a@example.test"] });
    expect(s.transports).toHaveLength(3);
    // The first connection finishes the rest as it answers.
    let done = false;
    const rest = Promise.all([third, fifth]).finally(() => {
      done = true;
    });
    while (!done) {
      s.transports[0]!.push(enc.encode("ok"));
      await idle();
    }
    await rest;
    expect(await third).toMatchObject({ accepted: ["a@example.test"] });
    expect(await fifth).toMatchObject({ accepted: ["a@example.test"] });
    await client.close();
  });

  it("a ready connection that fails while another is open does not lower the cap", async () => {
    // The first connection holds its message; the second is ready, then dropped at MAIL.
    const { s, client } = capClient([{ ".": undefined }, { MAIL: null }, {}]);
    const first = outcome(client.send(markedMessage(0)));
    await until(() => s.transports[0]?.writes.includes(".\r\n") === true);
    // The dropped message is sent again on a third connection, while the first still waits.
    expect(await outcome(client.send(markedMessage(1)))).toMatchObject({
      accepted: ["a@example.test"],
    });
    expect(carried(s)).toEqual([["<<m0>>"], [], ["<<m1>>"]]);
    s.transports[0]!.push(enc.encode("ok"));
    expect(await first).toMatchObject({ accepted: ["a@example.test"] });
    await client.close();
  });

  it("a refusal from 60 s after the last one on lowers the cap from the full size, not the old cap", async () => {
    // Connections: 0 and 2 answer each end of data when told, 1 and 4 are turned away, the
    // others work. Two messages per connection.
    const held = { ".": undefined };
    const { s, client } = capClient([held, { HELLO: null }, held, {}, { HELLO: null }, {}], {
      maxConnections: 3,
      maxMessages: 2,
    });
    const release = async (n: number) => {
      await until(() => s.transports[n]?.writes.includes(".\r\n") === true);
      s.transports[n]!.push(enc.encode("ok"));
    };
    // At 0: connection 1 is turned away while connection 0 is open: the cap is 1 until 60 s.
    const first = [0, 1].map((i) => outcome(client.send(markedMessage(i))));
    await until(() => s.transports.length === 2);
    await release(0);
    await until(() => s.sessions[0]!.given === 2);
    await release(0);
    await Promise.all(first);
    await until(() => s.transports[0]!.finished === 1);

    // At exactly 60 s the cap is lifted; connection 4 is turned away while 2 and 3 are open:
    // the cap becomes 2 (the connections left), not the old 1.
    await vi.advanceTimersByTimeAsync(60_000);
    const held2 = outcome(client.send(markedMessage(2)));
    const later = [3, 4].map((i) => outcome(client.send(markedMessage(i))));
    await until(() => s.transports.length === 5);
    await Promise.all(later);
    await until(() => s.transports[3]!.finished === 1);
    // Connection 2 is busy and alone: under a cap of 2 the next message gets a connection.
    expect(await outcome(client.send(markedMessage(5)))).toMatchObject({
      accepted: ["a@example.test"],
    });
    expect(s.transports).toHaveLength(6);
    await release(2);
    expect(await held2).toMatchObject({ accepted: ["a@example.test"] });
    await client.close();
  });
});
