// The Session driven over a real socket against smtp-server (in process, loopback only):
// what a real server receives is exactly the normalised body (R6), with PIPELINING and
// without, several messages per connection.
import { once } from "node:events";
import { type AddressInfo, createConnection } from "node:net";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Session } from "./session.ts";
import type { Action, SendResult } from "./session-types.ts";

const enc = new TextEncoder();

interface Received {
  to: string[];
  body: string;
}

async function startServer(
  hidePIPELINING: boolean,
): Promise<{ server: SMTPServer; port: number; received: Received[] }> {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    hidePIPELINING,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        received.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          body: Buffer.concat(chunks).toString("latin1"),
        });
        callback();
      });
    },
  });
  server.listen(0, "127.0.0.1");
  await once(server.server, "listening");
  return { server, port: (server.server.address() as AddressInfo).port, received };
}

/** A minimal event-driven driver: no timers, the test's own timeout bounds it. */
async function sendAll(port: number, bodies: string[]): Promise<SendResult[]> {
  const session = new Session({
    ehloName: "client.example",
    servername: "localhost",
    starttls: "never",
  });
  const socket = createConnection({ host: "127.0.0.1", port });
  const results = new Map<number, SendResult>();
  const ids = bodies.map((_, i) =>
    session.send({ from: "a@example.test", to: [`r${i}@example.test`] }, Date.now()),
  );
  const done = new Promise<void>((resolve, reject) => {
    const pump = (): void => {
      for (let progressed = true; progressed; ) {
        progressed = false;
        for (let b = session.pollTransmit(); b !== null; b = session.pollTransmit()) {
          socket.write(b);
          progressed = true;
        }
        for (let a: Action | null = session.pollAction(); a !== null; a = session.pollAction()) {
          progressed = true;
          if (a.type === "need-body") {
            const body = enc.encode(bodies[ids.indexOf(a.id)]!);
            // Awkward chunking on purpose: splits after CR, LF and dots.
            for (let i = 0; i < body.length; i += 3)
              session.bodyChunk(a.id, body.subarray(i, i + 3), Date.now());
            session.bodyEnd(a.id, Date.now());
          } else if (a.type === "result") {
            results.set(a.id, a.result);
            if (results.size === ids.length) session.quit(Date.now());
          } else if (a.type === "close") {
            socket.end();
            if (a.reason === "quit") resolve();
            else reject(a.error);
          }
        }
      }
    };
    socket.on("connect", () => {
      session.connected(Date.now());
      pump();
    });
    socket.on("data", (chunk: Buffer) => {
      session.receiveData(new Uint8Array(chunk), Date.now());
      pump();
    });
    socket.on("end", () => {
      session.receiveEof(Date.now());
      pump();
    });
    socket.on("error", reject);
  });
  await done;
  return ids.map((id) => results.get(id)!);
}

const SMUGGLING = [
  "Subject: 1\r\n\r\na\n.\r\nMAIL FROM:<x@example.test>\r\n",
  "Subject: 2\r\n\r\na\r.\r\nRCPT TO:<y@example.test>",
  "Subject: 3\n\na\n.\nDATA\n",
  "Subject: 4\r\n\r\n.leading dot\r\n..two dots\r\n.",
  "Subject: 5\r\n\r\nno final line end",
];

/** What the server must receive: every bare CR and LF as CRLF, a final CRLF. */
function normalised(body: string): string {
  const text = body.replace(/\r\n|\r|\n/g, "\r\n");
  return text.endsWith("\r\n") ? text : `${text}\r\n`;
}

describe.each([false, true])(
  "Session against smtp-server (hidePIPELINING %s)",
  (hidePIPELINING) => {
    let peer: Awaited<ReturnType<typeof startServer>>;
    beforeAll(async () => {
      peer = await startServer(hidePIPELINING);
    });
    afterAll(async () => {
      await new Promise<void>((resolve) => peer.server.close(() => resolve()));
    });

    it("R6 smuggling: the server receives each message whole and exactly normalised", async () => {
      const results = await sendAll(peer.port, SMUGGLING);
      expect(results.map((r) => r.ok)).toEqual(SMUGGLING.map(() => true));
      expect(peer.received).toHaveLength(SMUGGLING.length);
      peer.received.forEach((message, i) => {
        expect(message.to).toEqual([`r${i}@example.test`]);
        expect(message.body).toBe(normalised(SMUGGLING[i]!));
      });
      expect(
        peer.received.some(
          (m) => m.to.includes("y@example.test") || m.to.includes("x@example.test"),
        ),
      ).toBe(false);
    });
  },
);
