import { createClient, SmtpError } from "@smtp/client";
import { describe, expect, it } from "vitest";
import {
  carried,
  type Faults,
  idle,
  markedMessage,
  outcome,
  type Script,
  scripted,
} from "./fakes.ts";

type Scripted = ReturnType<typeof scripted>;

function clientOf(s: Scripted, pool: Record<string, number> = {}) {
  return createClient(
    { host: "mx.example.test", transport: s.connector, pool: { maxConnections: 1, ...pool } },
    { sessionFactory: s.sessionFactory },
  );
}

/**
 * A server that takes `each` messages per connection, then drops the connection at the
 * next MAIL (a per-connection limit enforced by hanging up).
 */
function hangsUpAfter(each: number): Script {
  return () => {
    let mails = 0;
    return (line) => {
      const verb = line.split(" ")[0];
      if (verb === "HELLO") return "ready";
      if (verb === "MAIL") return ++mails > each ? null : "go";
      if (verb === ".") return "ok";
      if (verb === "QUIT") return "bye";
      return undefined;
    };
  };
}

describe("which failures of a ready connection send the message again", () => {
  const cases: [string, SmtpError, boolean][] = [
    ["a reset", new SmtpError({ kind: "connection", message: "ECONNRESET" }), true],
    ["a stall", new SmtpError({ kind: "timeout", message: "stall", phase: "command" }), true],
    [
      "a 421 shutdown",
      new SmtpError({ kind: "rejected", message: "bye", reply: { code: 421, lines: ["bye"] } }),
      true,
    ],
    [
      "a retryable protocol failure (pipelining refused)",
      new SmtpError({ kind: "protocol", message: "refused", retryable: true }),
      true,
    ],
    [
      "a protocol failure that is not retryable",
      new SmtpError({ kind: "protocol", message: "bad reply", retryable: false }),
      false,
    ],
    [
      "a temporary refusal of the message (451)",
      new SmtpError({ kind: "rejected", message: "later", reply: { code: 451, lines: ["later"] } }),
      false,
    ],
    [
      "a refusal of the message (550)",
      new SmtpError({ kind: "rejected", message: "no", reply: { code: 550, lines: ["no"] } }),
      false,
    ],
    [
      "an abort the transport reports on its own (no message was aborted)",
      new SmtpError({ kind: "aborted", message: "proxy aborted" }),
      false,
    ],
  ];
  for (const [what, error, retried] of cases) {
    it(`${what}: ${retried ? "sent again on a new connection" : "fails with that error"}`, async () => {
      // The first connection's second read (the answer to MAIL) fails with `error`.
      const s = scripted([{}], [{ readRejectsAt: 2, readError: error }]);
      const client = clientOf(s);
      const result = await outcome(client.send(markedMessage(0)));
      await client.close();
      if (retried) {
        expect(result).toMatchObject({ accepted: ["a@example.test"] });
        expect(carried(s)).toEqual([[], ["<<m0>>"]]);
      } else {
        expect(result).toBe(error);
        expect(carried(s)).toEqual([[]]);
      }
    });
  }
});

describe("retried messages keep their place in the queue", () => {
  it("a message retried alone goes before the ones that waited behind it", async () => {
    // One message per connection at a time: m1 and m2 wait in the queue while m0 fails.
    const s = scripted([{ MAIL: null }, {}]);
    const client = clientOf(s, { maxInFlight: 1 });
    const sends = [0, 1, 2].map((i) => client.send(markedMessage(i)));
    await Promise.all(sends);
    await client.close();
    expect(carried(s)).toEqual([[], ["<<m0>>", "<<m1>>", "<<m2>>"]]);
  });

  it("messages pipelined on a connection that drops are sent again in their order", async () => {
    const s = scripted([{ MAIL: undefined }, {}]);
    const client = clientOf(s);
    const sends = [0, 1, 2].map((i) => client.send(markedMessage(i)));
    // All three are handed to the first connection, which never answers MAIL; then it drops.
    while (s.sessions[0]?.given !== 3) await idle();
    s.transports[0]!.push(null);
    await Promise.all(sends);
    await client.close();
    expect(carried(s)).toEqual([[], ["<<m0>>", "<<m1>>", "<<m2>>"]]);
  });
});

describe("how many connections a message may cost", () => {
  it("a try on a connection that delivered other messages first is free", async () => {
    // Every connection takes one message, then hangs up: the fourth message is dropped by
    // three connections in a row, each of which delivered another message, and still goes.
    const s = scripted([hangsUpAfter(1)]);
    const client = clientOf(s);
    const results = await Promise.all(
      [0, 1, 2, 3].map((i) => outcome(client.send(markedMessage(i)))),
    );
    await client.close();
    expect(results.every((r) => !(r instanceof SmtpError))).toBe(true);
    expect(carried(s)).toEqual([["<<m0>>"], ["<<m1>>"], ["<<m2>>"], ["<<m3>>"]]);
  });

  it("three connections in a row that fail before ready: the queue fails with their error", async () => {
    // Each connection opens, then the server hangs up at once: no fourth connection.
    const s = scripted([{ HELLO: null }]);
    const client = clientOf(s, { maxInFlight: 1 });
    const results = await Promise.all([0, 1, 2].map((i) => outcome(client.send(markedMessage(i)))));
    await client.close();
    expect(results.map((r) => r instanceof SmtpError && r.kind)).toEqual([
      "connection",
      "connection",
      "connection",
    ]);
    expect(s.transports).toHaveLength(3);
  });

  it("one connection that fails before ready is replaced, and the queue waits for the new one", async () => {
    const s = scripted([{ HELLO: null }, {}]);
    const client = clientOf(s, { maxInFlight: 1 });
    const results = await Promise.all([0, 1, 2].map((i) => outcome(client.send(markedMessage(i)))));
    await client.close();
    expect(results.every((r) => !(r instanceof SmtpError))).toBe(true);
    expect(carried(s)).toEqual([[], ["<<m0>>", "<<m1>>", "<<m2>>"]]);
  });

  const beforeReady: [string, SmtpError, boolean][] = [
    ["a reset", new SmtpError({ kind: "connection", message: "ECONNRESET" }), true],
    [
      "a 421 greeting",
      new SmtpError({ kind: "rejected", message: "busy", reply: { code: 421, lines: ["busy"] } }),
      true,
    ],
    [
      "a silent server (timeout)",
      new SmtpError({ kind: "timeout", message: "silent", phase: "command" }),
      false,
    ],
    [
      "a 554 greeting",
      new SmtpError({ kind: "rejected", message: "go away", reply: { code: 554, lines: ["no"] } }),
      false,
    ],
  ];
  for (const [what, error, replaced] of beforeReady) {
    it(`a connection that fails before ready with ${what} is ${replaced ? "" : "not "}replaced`, async () => {
      const faults: Faults[] = [{ readRejectsAt: 1, readError: error }];
      const s = scripted([{ HELLO: undefined }, {}], faults);
      const client = clientOf(s, { maxInFlight: 1 });
      const results = await Promise.all([0, 1].map((i) => outcome(client.send(markedMessage(i)))));
      await client.close();
      if (replaced) {
        expect(results.every((r) => !(r instanceof SmtpError))).toBe(true);
        expect(carried(s)).toEqual([[], ["<<m0>>", "<<m1>>"]]);
      } else {
        expect(results.map((r) => r instanceof SmtpError && r.kind)).toEqual([
          error.kind,
          error.kind,
        ]);
        expect(s.transports).toHaveLength(1);
      }
    });
  }

  it("a third failed connection in a row fails its message even with room for another connection", async () => {
    // The first failure (a 554 greeting) is not transient: its message fails, and it counts.
    // The next message's two connections hang up at once: after the second, the count is
    // three, so the message fails there; it is not put back for the fourth connection, which
    // would have taken it.
    const faults: Faults[] = [
      {
        readRejectsAt: 1,
        readError: new SmtpError({
          kind: "rejected",
          message: "go away",
          reply: { code: 554, lines: ["no"] },
        }),
      },
    ];
    const s = scripted([{ HELLO: undefined }, { HELLO: null }, { HELLO: null }, {}], faults);
    const client = clientOf(s, { maxConnections: 2, maxInFlight: 1 });
    const first = await outcome(client.send(markedMessage(0)));
    expect(first instanceof SmtpError && first.code).toBe(554);
    const second = await outcome(client.send(markedMessage(1)));
    await client.close();
    expect(second instanceof SmtpError && second.kind).toBe("connection");
    expect(s.transports).toHaveLength(3);
    expect(carried(s)).toEqual([[], [], []]);
  });

  it("a connection refused while another is open: its message goes on the open one", async () => {
    // The first connection works (slowly: its first message waits for the test), the second is refused.
    let release: (() => void) | undefined;
    const s = scripted([
      () => {
        let first = true;
        return (line) => {
          const verb = line.split(" ")[0];
          if (verb === "HELLO") return "ready";
          if (verb === "MAIL") return "go";
          if (verb === "." && first) {
            first = false;
            release = () => s.transports[0]!.push(new TextEncoder().encode("ok"));
            return undefined;
          }
          if (verb === ".") return "ok";
          if (verb === "QUIT") return "bye";
          return undefined;
        };
      },
      "refuse",
    ]);
    const client = clientOf(s, { maxConnections: 2, maxInFlight: 1 });
    const first = outcome(client.send(markedMessage(0)));
    while (release === undefined) await idle();
    const second = outcome(client.send(markedMessage(1)));
    while (s.transports.length < 2) await idle();
    await idle();
    release();
    const results = await Promise.all([first, second]);
    await client.close();
    expect(results.every((r) => !(r instanceof SmtpError))).toBe(true);
    expect(carried(s)).toEqual([["<<m0>>", "<<m1>>"]]);
    expect(s.transports).toHaveLength(2);
  });
});
