import { createClient } from "@smtp/client";
import { beforeAll, describe, expect, it } from "vitest";
import {
  carried,
  fakeCapabilities,
  idle,
  loadEngine,
  markedMessage,
  outcome,
  scripted,
} from "./fakes.ts";

const enc = new TextEncoder();

type Scripted = ReturnType<typeof scripted>;

/** Runs the loops until `condition` holds. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await idle();
  expect(condition()).toBe(true);
}

/** A server that answers each end of data only when the test says so. */
const holdsData = () => scripted([{ ".": undefined }]);

function clientOf(s: Scripted, pool: Record<string, number>) {
  return createClient(
    { host: "mx.example.test", transport: s.connector, pool },
    { sessionFactory: s.sessionFactory },
  );
}

/** Answers the ends of data one by one until every send has settled. */
async function answerAll(s: Scripted, sends: Promise<unknown>[]): Promise<void> {
  let done = false;
  const all = Promise.all(sends).finally(() => {
    done = true;
  });
  while (!done) {
    for (const t of s.transports) t.push(enc.encode("ok"));
    await idle();
  }
  await all;
}

describe("how many messages the pool hands to one busy connection", () => {
  it("a server without PIPELINING gets the next message only once the last one is finished", async () => {
    const s = scripted([{ ".": undefined }], [], { ...fakeCapabilities, pipelining: false });
    const client = clientOf(s, { maxConnections: 1 });
    const sends = [0, 1, 2].map((i) => client.send(markedMessage(i)));
    while (!s.transports[0]?.writes.includes(".\r\n")) await idle();
    await idle();
    expect(s.sessions[0]!.given).toBe(1);
    await answerAll(s, sends);
    expect(s.sessions[0]!.given).toBe(3);
    await client.close();
  });

  for (const [maxInFlight, window] of [
    [3, 3],
    [4, 4],
    [5, 4],
    [32, 4],
  ] as const) {
    it(`without CHUNKING, maxInFlight ${maxInFlight} lets ${window} messages onto the connection`, async () => {
      const s = holdsData();
      const client = clientOf(s, { maxConnections: 1, maxInFlight });
      const sends = Array.from({ length: 6 }, (_, i) => client.send(markedMessage(i)));
      while (!s.transports[0]?.writes.includes(".\r\n")) await idle();
      await idle();
      expect(s.sessions[0]!.given).toBe(window);
      await answerAll(s, sends);
      expect(s.sessions[0]!.given).toBe(6);
      await client.close();
    });
  }
});

describe("idleTimeout: 0", () => {
  it("QUITs a connection as soon as it has nothing to do", async () => {
    const s = scripted([{}]);
    const client = clientOf(s, { idleTimeout: 0 });
    await client.send(markedMessage(0));
    // Asked for before the send's promise settled, with no timer in between.
    expect(s.sessions[0]!.out).toEqual(["HELLO", "MAIL 1", ".", "QUIT"]);
    await client.close();
  });

  it("keeps a connection that falls idle while messages wait, and hands them to it", async () => {
    const s = scripted([{}]);
    const client = clientOf(s, { idleTimeout: 0, maxConnections: 1, maxInFlight: 1 });
    await Promise.all([0, 1, 2].map((i) => client.send(markedMessage(i))));
    await client.close();
    expect(s.transports).toHaveLength(1);
    expect(s.sessions[0]!.out).toEqual([
      "HELLO",
      "MAIL 1",
      ".",
      "MAIL 2",
      ".",
      "MAIL 3",
      ".",
      "QUIT",
    ]);
  });
});

describe("close() with messages in flight", () => {
  it("a message dropped by one connection after close() may still ride on another busy one", async () => {
    // The first connection holds its message; the second never answers MAIL, then drops.
    const s = scripted([{ ".": undefined }, { MAIL: undefined }]);
    const client = clientOf(s, { maxConnections: 2 });
    const first = outcome(client.send(markedMessage(0)));
    await until(() => s.transports[0]?.writes.includes(".\r\n") === true);
    const second = outcome(client.send(markedMessage(1)));
    await until(() => s.transports[1]?.writes.includes("MAIL 1\r\n") === true);
    const closing = client.close();
    await idle();
    s.transports[1]!.push(null);
    await until(() => s.sessions[0]!.given === 2);
    expect(s.transports).toHaveLength(2);
    await answerAll(s, [first, second]);
    expect(await second).toMatchObject({ accepted: ["a@example.test"] });
    await closing;
    expect(carried(s)).toEqual([["<<m0>>", "<<m1>>"], []]);
    expect(s.sessions[0]!.out.at(-1)).toBe("QUIT");
  });
});

describe("a rate-limited pool opens one connection per message that waits for one", () => {
  beforeAll(loadEngine);

  it("two messages retried at once after their connection drops open two connections, not three", async () => {
    // The first connection never answers MAIL: it holds its two messages, unsent. The others
    // greet only when the test says so.
    const held = { HELLO: undefined };
    const s = scripted([{ MAIL: undefined }, held]);
    const client = createClient(
      {
        host: "mx.example.test",
        name: "client.example.test",
        transport: s.connector,
        pool: {
          maxConnections: 5,
          maxInFlight: 2,
          idleTimeout: 1,
          rateLimit: { messages: 100, interval: 60_000 },
        },
      },
      { sessionFactory: s.sessionFactory },
    );
    const sends = [0, 1, 2, 3, 4].map((i) => outcome(client.send(markedMessage(i))));
    await until(() => s.sessions[0]?.given === 2);
    // The four others take the other three messages, then close once idle: room for four more.
    for (const t of s.transports.slice(1)) t.push(enc.encode("ready"));
    await until(() => s.transports.slice(1).every((t) => t.finished > 0));
    expect(s.transports).toHaveLength(5);
    // The drop hands both messages back at once (one result each, in one go).
    s.transports[0]!.push(null);
    await until(() => s.transports.length >= 7);
    await idle();
    expect(s.transports).toHaveLength(7);
    for (const t of s.transports.slice(5)) t.push(enc.encode("ready"));
    for (const sent of await Promise.all(sends)) {
      expect(sent).toMatchObject({ accepted: ["a@example.test"] });
    }
    expect(carried(s)).toEqual([
      [],
      ["<<m2>>"],
      ["<<m3>>"],
      ["<<m4>>"],
      [],
      ["<<m0>>"],
      ["<<m1>>"],
    ]);
    await client.close();
  });
});
