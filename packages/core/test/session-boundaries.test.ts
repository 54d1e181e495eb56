import { describe, expect, it } from "vitest";
import { caught } from "../src/errors.test-util.ts";
import { type Action, Session, type SessionOptions } from "../src/index.ts";
import { DEFAULT_TIMEOUTS } from "../src/limits.ts";

// Boundaries of the engine's inputs, driven through the public Session API only (no private
// state), so they hold whatever shape the session's insides take.

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A session past EHLO on a server with PIPELINING (or not), and helpers to talk for it. */
function readySession(pipelining: boolean, options: Partial<SessionOptions> = {}) {
  let now = 1000;
  const session = new Session({
    ehloName: "client.example",
    servername: "mx.example",
    starttls: "never",
    ...options,
  });
  const actions: Action[] = [];
  const io = {
    session,
    get now() {
      return now;
    },
    at(time: number) {
      now = time;
      return io;
    },
    server(text: string) {
      session.receiveData(enc.encode(text.replace(/\n/g, "\r\n")), now);
      return io;
    },
    client(): string {
      let text = "";
      for (let b = session.pollTransmit(); b !== null; b = session.pollTransmit())
        text += dec.decode(b);
      return text;
    },
    actions(): Action[] {
      for (let a = session.pollAction(); a !== null; a = session.pollAction()) actions.push(a);
      return actions;
    },
  };
  session.connected(now);
  io.server("220 mx.example ESMTP\n");
  expect(io.client()).toBe("EHLO client.example\r\n");
  io.server(pipelining ? "250-mx.example\n250 PIPELINING\n" : "250 mx.example\n");
  expect(io.actions().map((a) => a.type)).toEqual(["ready"]);
  return io;
}

describe("timeouts given to the Session", () => {
  const phases = Object.keys(DEFAULT_TIMEOUTS) as (keyof typeof DEFAULT_TIMEOUTS)[];

  it.each(phases)("refuses NaN, 0 and a negative %s timeout, takes 1 ms", (phase) => {
    for (const bad of [Number.NaN, 0, -1, "5" as unknown as number]) {
      const error = caught(
        () =>
          new Session({ ehloName: "client.example", servername: "mx", timeouts: { [phase]: bad } }),
      );
      expect(error.kind).toBe("invalid-input");
      expect(error.message).toMatch(/timeouts/);
    }
    expect(
      () => new Session({ ehloName: "client.example", servername: "mx", timeouts: { [phase]: 1 } }),
    ).not.toThrow();
  });

  it("a 1 ms command timeout is the deadline one millisecond after the command", () => {
    const io = readySession(true, { timeouts: { command: 1 } });
    io.at(5000).session.noop(io.now);
    expect(io.client()).toBe("NOOP\r\n");
    expect(io.session.pollTimeout()).toBe(5001);
  });
});

describe("the deadline of an unanswered end of data", () => {
  for (const pipelining of [true, false]) {
    it(`is not pushed back by a later send() (${pipelining ? "with" : "without"} PIPELINING)`, () => {
      const io = readySession(pipelining, { timeouts: { dataEnd: 10_000 } });
      const first = io.session.send({ from: "a@example.org", to: ["b@example.net"] }, io.now);
      if (!pipelining) {
        expect(io.client()).toBe("MAIL FROM:<a@example.org>\r\n");
        io.server("250 ok\n");
        expect(io.client()).toBe("RCPT TO:<b@example.net>\r\n");
        io.server("250 ok\n");
        expect(io.client()).toBe("DATA\r\n");
        io.server("354 go\n");
      } else {
        expect(io.client()).toBe(
          "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n",
        );
        io.server("250 ok\n250 ok\n354 go\n");
      }
      expect(io.actions().at(-1)).toEqual({ type: "need-body", id: first });
      io.at(2000).session.bodyChunk(first, enc.encode("Subject: x\r\n\r\nx\r\n"), io.now);
      io.session.bodyEnd(first, io.now);
      expect(io.client()).toMatch(/\r\n\.\r\n$/);
      expect(io.session.pollTimeout()).toBe(12_000);

      // Much later, a second message is queued (and, with PIPELINING, its envelope goes out
      // behind the end of data): the server still owes the first reply since 2000.
      io.at(9000).session.send({ from: "a@example.org", to: ["c@example.net"] }, io.now);
      io.client();
      expect(io.session.pollTimeout()).toBe(12_000);
      io.at(11_999).session.handleTimeout(io.now);
      expect(io.actions().some((a) => a.type === "close")).toBe(false);
      io.at(12_000).session.handleTimeout(io.now);
      const close = io.actions().find((a) => a.type === "close");
      expect(close?.type === "close" && close.error?.kind).toBe("timeout");
      expect(close?.type === "close" && close.error?.phase).toBe("data-end");
    });
  }
});
