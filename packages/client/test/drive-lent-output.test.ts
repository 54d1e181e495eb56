// The client's connections run their session with `lendOutput`: what a write carries is the
// session's own buffer, joined again at the next `pollTransmit()`. That holds only because
// the driver waits for each write to be let go of before it polls again. Here the transport
// hands the bytes over late (as a socket does after a partial write): if the driver polled
// before, the session would have joined the next output over them, and the server would
// get one message's bytes in another's place.
import { type JobId, Session } from "@smtp/core";
import { memoryTransportPair } from "@smtp/core/transport-kit";
import { describe, expect, it } from "vitest";
import { Driver } from "../src/drive.ts";
import { PipelinedInput } from "./pipelined-input.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A PIPELINING server (CHUNKING too when asked) that records every message it takes. */
async function serve(
  end: ReturnType<typeof memoryTransportPair>["server"],
  chunking: boolean,
  received: string[],
): Promise<void> {
  await end.write(enc.encode("220 mx.example ESMTP\r\n"));
  const input = new PipelinedInput();
  let body = "";
  for (let chunk = await end.read(); chunk !== null; chunk = await end.read()) {
    input.push(dec.decode(chunk));
    let replies = "";
    for (let piece = input.next(); piece !== undefined; piece = input.next()) {
      if (piece.kind === "bdat") {
        body += piece.data;
        if (piece.last) {
          received.push(body);
          body = "";
        }
        replies += "250 2.0.0 taken\r\n";
      } else if (piece.kind === "message") {
        received.push(piece.data);
        replies += "250 2.0.0 queued\r\n";
      } else if (piece.line.startsWith("EHLO"))
        replies += `250-mx.example\r\n${chunking ? "250-CHUNKING\r\n" : ""}250 PIPELINING\r\n`;
      else if (piece.line === "DATA") replies += "354 go on\r\n";
      else if (piece.line === "QUIT") replies += "221 bye\r\n";
      else if (/^(MAIL|RCPT|RSET)/.test(piece.line)) replies += "250 ok\r\n";
      else replies += "500 what\r\n";
    }
    if (replies !== "") await end.write(enc.encode(replies));
  }
  await end.close();
}

/** Sends `count` messages at once over a transport that takes each write's bytes a tick late. */
async function sendLate(count: number, chunking: boolean) {
  const { client, server } = memoryTransportPair({ highWaterMark: 1 << 20 });
  const received: string[] = [];
  serve(server, chunking, received).catch(() => {});
  const write = client.write.bind(client);
  const given: Uint8Array[] = [];
  // The pipe copies what it is given when write() is called: call it only after a pause, with
  // the very bytes the driver handed over, as a socket that flushes them later would.
  client.write = (bytes: Uint8Array) => {
    given.push(bytes);
    return new Promise<void>((resolve) => setTimeout(resolve, 2)).then(() => write(bytes));
  };
  const session = new Session({
    ehloName: "client.example.test",
    servername: "mx.example",
    starttls: "never",
    lendOutput: true,
  });
  const results = new Map<JobId, boolean>();
  const bodies = new Map<JobId, Uint8Array>();
  const driver = new Driver(
    session,
    client,
    {
      ready: () => {},
      body: async function* () {},
      bodyBytes: (id) => bodies.get(id),
      result: (id, result) => {
        results.set(id, result.ok);
        if (results.size === count) {
          session.quit(Date.now());
          driver.wake();
        }
      },
    },
    { now: () => Date.now() },
  );
  session.connected(Date.now());
  const sent: string[] = [];
  for (let i = 0; i < count; i++) {
    const text = `Subject: m${i}\r\n\r\n${`line ${i} of the message\r\n`.repeat(20 + i)}`;
    const id = session.send({ from: `s${i}@example.test`, to: ["b@example.test"] }, Date.now());
    bodies.set(id, enc.encode(text));
    sent.push(text);
  }
  const info = await driver.run();
  return { info, results: [...results.values()], received, sent, given };
}

describe("the driver with the session's lent output", () => {
  for (const chunking of [false, true]) {
    it(`never polls while a write holds the lent bytes (${chunking ? "BDAT" : "DATA"})`, async () => {
      const { info, results, received, sent, given } = await sendLate(6, chunking);
      expect(info).toMatchObject({ reason: "quit" });
      expect(results).toEqual(Array(6).fill(true));
      expect(received).toEqual(sent);
      // The writes did share the session's buffer: the lent path was the one taken.
      const buffers = new Set(given.map((bytes) => bytes.buffer));
      expect(buffers.size).toBeLessThan(given.length);
    });
  }
});
