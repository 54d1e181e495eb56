// A finished message must die young, in the young generation's collections. V8 keeps a
// `Map`'s (or `Set`'s) outgrown hash tables, each still holding the entries it had and a link
// to the table that replaced it, until a full collection. A long-lived `Map` or `Set` churned
// once per message (the pool's assignments, a connection's messages in flight, a transport's
// running reads and writes, the client's messages being signed) therefore let one table that
// had reached the old generation keep every later message alive past each young collection:
// all were promoted (about 1.5 KB each over a socket), and the scavenges that copied them cost
// about 10 µs per message (bench/RESULTS.md, issue 14's seventh pass).
//
// Old-generation growth is what shows it: two young collections are forced every 25
// messages, so an object still reachable from one to the next (about two messages' time for
// a finished one) is promoted; a message of its own lives about eight messages' time.
import { getHeapSpaceStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { memoryTransportPair } from "@smtp/core/transport-kit";
import { describe, expect, it } from "vitest";
import { createClient } from "../src/index.ts";
import { PipelinedInput } from "./pipelined-input.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as (options?: { type: "minor" | "major" }) => void;

const COUNT = 1000;
const enc = new TextEncoder();
const dec = new TextDecoder();
/** A turn of the event loop: a socket's replies come in tasks of their own, not microtasks. */
const nextTask = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A PIPELINING server that answers each read a task later, as a peer over a socket does. */
async function serve(end: ReturnType<typeof memoryTransportPair>["server"]): Promise<void> {
  await end.write(enc.encode("220 mx.example ESMTP\r\n"));
  const input = new PipelinedInput();
  for (let chunk = await end.read(); chunk !== null; chunk = await end.read()) {
    input.push(dec.decode(chunk));
    let replies = "";
    for (let piece = input.next(); piece !== undefined; piece = input.next()) {
      if (piece.kind === "message") replies += "250 2.0.0 queued\r\n";
      else if (piece.kind !== "line") replies += "250 ok\r\n";
      else if (piece.line.startsWith("EHLO")) replies += "250-mx.example\r\n250 PIPELINING\r\n";
      else if (piece.line === "DATA") replies += "354 go on\r\n";
      else if (piece.line === "QUIT") replies += "221 bye\r\n";
      else replies += "250 ok\r\n";
    }
    await nextTask();
    if (replies !== "") await end.write(enc.encode(replies));
  }
  await end.close();
}

describe("memory of finished messages", () => {
  it("finished messages are not promoted: the old generation grows by under 1 KB per message", async () => {
    const client = createClient({
      host: "127.0.0.1",
      port: 25,
      starttls: "never",
      // One connection for the whole run: the longer it lives, the likelier its tables age.
      pool: { maxConnections: 1, maxMessages: 1_000_000 },
      transport: async () => {
        const { client: end, server } = memoryTransportPair({ highWaterMark: 1 << 20 });
        serve(server).catch(() => {});
        return end;
      },
    });
    const message = (n: number) => ({
      from: "a@example.com",
      to: ["b@example.org"],
      subject: `message ${n}`,
      text: "hello\n",
    });
    const sendAll = async (count: number, onEvery25?: () => void) => {
      let next = 0;
      const worker = async () => {
        while (next < count) {
          const n = next++;
          if (n % 25 === 0) onEvery25?.();
          await client.send(message(n));
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
    };
    const oldSpace = () =>
      getHeapSpaceStatistics().find((space) => space.space_name === "old_space")!.space_used_size;
    try {
      // Warm up (the engine loads, the code is compiled, the connection opens), with young
      // collections on the way so that the pool's and the connection's bookkeeping ages.
      await sendAll(1000, () => gc({ type: "minor" }));
      gc({ type: "major" });
      const before = oldSpace();
      await sendAll(COUNT, () => gc({ type: "minor" }));
      gc({ type: "minor" });
      gc({ type: "minor" });
      const grown = oldSpace() - before;
      // Measured when this bound was set: 62 to 368 bytes per message (what compiling code
      // and the odd message caught in flight twice leave); 2,460 to 2,680 with the pool's and
      // the connection's Maps as they were, 1,660 to 1,710 with either one alone.
      expect(grown / COUNT, "old-generation growth per message (bytes)").toBeLessThan(1000);
    } finally {
      await client.close();
    }
  });
});
