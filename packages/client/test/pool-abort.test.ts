import { getEventListeners } from "node:events";
import { createClient, SmtpError } from "@smtp/client";
import type { Connector } from "@smtp/core/transport-kit";
import { describe, expect, it } from "vitest";
import { carried, idle, markedMessage, outcome, scripted } from "./fakes.ts";

const enc = new TextEncoder();

describe("aborting a send in the pool", () => {
  it("a message waiting in the queue fails at once with its reason; the one on the wire goes on", async () => {
    // One message per connection: m0 waits for its final reply, m1 and m2 wait in the queue.
    const s = scripted([{ ".": undefined }]);
    const client = createClient(
      {
        host: "mx.example.test",
        transport: s.connector,
        pool: { maxConnections: 1, maxInFlight: 1 },
      },
      { sessionFactory: s.sessionFactory },
    );
    const controller = new AbortController();
    const first = outcome(client.send(markedMessage(0)));
    const second = outcome(client.send(markedMessage(1), { signal: controller.signal }));
    const third = outcome(client.send(markedMessage(2)));
    while (!s.transports[0]?.writes.includes(".\r\n")) await idle();
    const reason = new Error("user gave up");
    controller.abort(reason);
    const aborted = await second;
    expect(aborted).toBeInstanceOf(SmtpError);
    expect(aborted).toMatchObject({ kind: "aborted", cause: reason });
    // Nothing of m1 was handed to the connection, and m0 is still waiting for its reply.
    expect(s.sessions[0]!.given).toBe(1);
    s.transports[0]!.push(enc.encode("ok"));
    await idle();
    s.transports[0]!.push(enc.encode("ok"));
    expect(await first).toMatchObject({ accepted: ["a@example.test"] });
    expect(await third).toMatchObject({ accepted: ["a@example.test"] });
    await client.close();
    expect(carried(s)).toEqual([["<<m0>>", "<<m2>>"]]);
  });

  it("a message dropped because another message's abort took its connection down is sent again", async () => {
    // m0 and m1 are pipelined on the one connection, which never answers MAIL.
    const s = scripted([{ MAIL: undefined }, {}]);
    const client = createClient(
      { host: "mx.example.test", transport: s.connector, pool: { maxConnections: 1 } },
      { sessionFactory: s.sessionFactory },
    );
    const controller = new AbortController();
    const first = outcome(client.send(markedMessage(0), { signal: controller.signal }));
    const second = outcome(client.send(markedMessage(1)));
    while (s.sessions[0]?.given !== 2) await idle();
    controller.abort();
    expect(await first).toMatchObject({ kind: "aborted" });
    expect(await second).toMatchObject({ accepted: ["a@example.test"] });
    await client.close();
    expect(carried(s)).toEqual([[], ["<<m1>>"]]);
  });

  it("aborting a message while its connection opens leaves the messages queued behind it alone", async () => {
    // The first connection takes until the test lets it open; the second opens at once.
    const s = scripted([{}]);
    let opened: (() => void) | undefined;
    const connector: Connector = async (target, signal) => {
      if (s.transports.length === 0 && opened === undefined) {
        await new Promise<void>((resolve) => {
          opened = resolve;
        });
      }
      return s.connector(target, signal);
    };
    const client = createClient(
      { host: "mx.example.test", transport: connector, pool: { maxConnections: 1 } },
      { sessionFactory: s.sessionFactory },
    );
    const controller = new AbortController();
    const first = outcome(client.send(markedMessage(0), { signal: controller.signal }));
    const second = outcome(client.send(markedMessage(1)));
    while (opened === undefined) await idle();
    await idle();
    controller.abort();
    expect(await first).toMatchObject({ kind: "aborted" });
    expect(await second).toMatchObject({ accepted: ["a@example.test"] });
    await client.close();
    expect(carried(s)).toEqual([["<<m1>>"]]);
  });

  it("an abort after an unpooled message was accepted, while its connection QUITs, changes nothing", async () => {
    // Without a pool the outcome waits for the connection to close; the server is slow to answer QUIT.
    const s = scripted([{ QUIT: undefined }]);
    const client = createClient(
      { host: "mx.example.test", transport: s.connector },
      { sessionFactory: s.sessionFactory },
    );
    const controller = new AbortController();
    const sending = outcome(client.send(markedMessage(0), { signal: controller.signal }));
    while (!s.transports[0]?.writes.includes("QUIT\r\n")) await idle();
    controller.abort();
    s.transports[0]!.push(enc.encode("bye"));
    expect(await sending).toMatchObject({ accepted: ["a@example.test"] });
    expect(carried(s)).toEqual([["<<m0>>"]]);
  });

  it("a send's signal has no listener left once the send is settled, delivered or failed", async () => {
    const refused = new SmtpError({
      kind: "rejected",
      message: "no",
      reply: { code: 550, lines: ["no"] },
    });
    // The server answers the data only when the test says so.
    const s = scripted([{ ".": undefined }]);
    const client = createClient(
      { host: "mx.example.test", transport: s.connector, pool: { maxConnections: 1 } },
      { sessionFactory: s.sessionFactory },
    );
    const signal = new AbortController().signal;
    const sending = client.send(markedMessage(0), { signal });
    while (!s.transports[0]?.writes.includes(".\r\n")) await idle();
    expect(getEventListeners(signal, "abort")).toHaveLength(1);
    s.transports[0]!.push(enc.encode("ok"));
    expect(await sending).toMatchObject({ accepted: ["a@example.test"] });
    expect(getEventListeners(signal, "abort")).toHaveLength(0);
    await client.close();

    // The second client's connection fails the message with a 550.
    const r = scripted([{}], [{ readRejectsAt: 2, readError: refused }]);
    const again = createClient(
      { host: "mx.example.test", transport: r.connector, pool: { maxConnections: 1 } },
      { sessionFactory: r.sessionFactory },
    );
    const failing = new AbortController().signal;
    expect(await outcome(again.send(markedMessage(1), { signal: failing }))).toBe(refused);
    expect(getEventListeners(failing, "abort")).toHaveLength(0);
    await again.close();
  });
});
