// A long connection's reads and writes must die young. V8 keeps a `Set`'s outgrown hash
// tables, each still holding the entries it had and a link to the table that replaced it,
// until a full collection: when the transport tracked its running operations and its pending
// writes in `Set`s, one table that had reached the old generation kept every later read and
// write (their promises, reactions and callbacks) alive past each young collection, and all
// were promoted. Two young collections are forced every 25 exchanges here, so what is still
// reachable from one to the next is promoted; an exchange of its own is over long before.
import { getHeapSpaceStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { memoryTransportPair } from "./memory-transport.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as (options?: { type: "minor" | "major" }) => void;

const EXCHANGES = 4000;
const oldSpace = () =>
  getHeapSpaceStatistics().find((space) => space.space_name === "old_space")!.space_used_size;
/** A turn of the event loop: a socket's data comes in tasks of their own. */
const nextTask = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("GuardedTransport memory", () => {
  it("a finished read or write is not kept past two young collections", async () => {
    const { client, server } = memoryTransportPair({ highWaterMark: 1 << 20 });
    const line = new TextEncoder().encode("NOOP\r\n");
    const reply = new TextEncoder().encode("250 ok\r\n");
    const exchange = async (count: number) => {
      for (let n = 0; n < count; n++) {
        if (n % 25 === 0) gc({ type: "minor" });
        const answered = client.read();
        await client.write(line);
        await server.read();
        await nextTask();
        await server.write(reply);
        await answered;
      }
    };
    // Warm up, with young collections on the way so that the transport's bookkeeping ages.
    await exchange(1000);
    gc({ type: "major" });
    const before = oldSpace();
    await exchange(EXCHANGES);
    gc({ type: "minor" });
    gc({ type: "minor" });
    const grown = (oldSpace() - before) / EXCHANGES;
    expect(grown, "old-generation growth per exchange (bytes)").toBeLessThan(100);
    await client.close();
    await server.close();
  });
});
