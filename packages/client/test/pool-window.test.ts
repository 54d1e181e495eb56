import { createClient, SmtpError } from "@smtp/client";
import { type MemoryTransport, memoryTransportPair } from "@smtp/core/transport-kit";
import { describe, expect, it } from "vitest";

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * A scripted server over the memory transport: greets, offers `capabilities`, and answers
 * the commands of every transaction it has read only when the test says so (`release()`),
 * so that what the client writes before any answer shows its in-flight window.
 */
class WindowServer {
  /** Complete messages (ended with `BDAT n LAST` and its bytes, or `.`) read so far. */
  received = 0;
  /** MAIL commands read so far. */
  mails = 0;
  /** Whether QUIT was read, and how many answers were still owed then. */
  quit: { owed: number } | undefined;
  /** The size of every BDAT chunk read. */
  readonly chunkSizes: number[] = [];
  /** Answers owed, in order. */
  #owed: string[] = [];
  #buffer = "";
  #inData = false;
  #bdatLeft = 0;
  readonly #end: MemoryTransport;
  readonly #hold: boolean;
  constructor(end: MemoryTransport, capabilities: string[], hold: boolean) {
    this.#end = end;
    this.#hold = hold;
    void this.#run(capabilities);
  }

  /** Sends every answer owed so far. */
  release(): void {
    const text = this.#owed.join("");
    this.#owed = [];
    if (text !== "") void this.#end.write(enc.encode(text)).catch(() => {});
  }

  async #run(capabilities: string[]): Promise<void> {
    await this.#end.write(enc.encode("220 window.test ESMTP\r\n"));
    for (;;) {
      const chunk = await this.#end.read().catch(() => null);
      if (chunk === null) return;
      this.#buffer += dec.decode(chunk);
      this.#consume(capabilities);
      if (!this.#hold) this.release();
    }
  }

  #answer(line: string): void {
    this.#owed.push(`${line}\r\n`);
  }

  #consume(capabilities: string[]): void {
    for (;;) {
      if (this.#bdatLeft > 0) {
        const take = Math.min(this.#bdatLeft, this.#buffer.length);
        this.#buffer = this.#buffer.slice(take);
        this.#bdatLeft -= take;
        if (this.#bdatLeft > 0) return;
        this.received++;
        this.#answer("250 2.0.0 queued");
        continue;
      }
      if (this.#inData) {
        const end = this.#buffer.indexOf("\r\n.\r\n");
        if (end < 0) return;
        this.#buffer = this.#buffer.slice(end + 5);
        this.#inData = false;
        this.received++;
        this.#answer("250 2.0.0 queued");
        continue;
      }
      const nl = this.#buffer.indexOf("\r\n");
      if (nl < 0) return;
      const line = this.#buffer.slice(0, nl);
      this.#buffer = this.#buffer.slice(nl + 2);
      const verb = line.split(" ", 1)[0]!.toUpperCase();
      if (verb === "EHLO") {
        // EHLO and QUIT are answered at once: only transactions are held.
        const lines = ["window.test", ...capabilities];
        const text = lines.map((l, i) => `250${i < lines.length - 1 ? "-" : " "}${l}\r\n`);
        void this.#end.write(enc.encode(text.join("")));
      } else if (verb === "QUIT") {
        this.quit = { owed: this.#owed.length };
        void this.#end.write(enc.encode("221 bye\r\n")).then(() => this.#end.close());
      } else if (verb === "BDAT") {
        this.#bdatLeft = Number(line.split(" ")[1]);
        this.chunkSizes.push(this.#bdatLeft);
        if (this.#bdatLeft === 0) {
          this.received++;
          this.#answer("250 2.0.0 queued");
        }
      } else if (verb === "DATA") {
        this.#answer("354 go ahead");
        this.#inData = true;
      } else {
        if (verb === "MAIL") this.mails++;
        this.#answer("250 2.1.0 ok");
      }
    }
  }
}

/** A client whose connections reach fresh WindowServers; `servers` lists them as they open. */
function windowClient(capabilities: string[], pool: Record<string, number>, hold = true) {
  const servers: WindowServer[] = [];
  const client = createClient({
    host: "window.test",
    port: 25,
    starttls: "never",
    pool: { maxConnections: 1, ...pool },
    transport: async () => {
      const pair = memoryTransportPair({ highWaterMark: 1 << 20 });
      servers.push(new WindowServer(pair.server, capabilities, hold));
      return pair.client;
    },
  });
  return { client, servers };
}

function message(i: number, text = `body ${i}\n`) {
  return { from: "a@example.test", to: "b@example.test", subject: `m${i}`, text };
}

/** Waits until `condition` holds (polling every few ms), failing after 5 s. */
async function until(condition: () => boolean): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > 5_000) throw new Error("condition not met");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Waits until `read()` stops growing for a few turns of the event loop. */
async function settled(read: () => number): Promise<number> {
  let last = -1;
  for (let calm = 0; calm < 5; ) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    const now = read();
    calm = now === last ? calm + 1 : 0;
    last = now;
  }
  return last;
}

const CHUNKING = ["PIPELINING", "CHUNKING", "8BITMIME"];

describe("pool.maxInFlight: the in-flight window on one connection", () => {
  it("with CHUNKING, keeps maxInFlight messages on the wire before any answer, then delivers all", async () => {
    for (const maxInFlight of [1, 7, 8]) {
      const { client, servers } = windowClient(CHUNKING, { maxInFlight });
      const sends = Array.from({ length: 20 }, (_, i) => client.send(message(i)));
      await until(() => servers.length === 1);
      const server = servers[0]!;
      expect(await settled(() => server.received)).toBe(maxInFlight);
      // Answering lets the next ones go; every message is delivered once.
      const timer = setInterval(() => server.release(), 2);
      const results = await Promise.all(sends);
      clearInterval(timer);
      expect(results.every((r) => r.accepted.length === 1)).toBe(true);
      expect(server.received).toBe(20);
      await client.close();
    }
  });

  it("the default window is 32", async () => {
    const { client, servers } = windowClient(CHUNKING, {});
    const sends = Array.from({ length: 40 }, (_, i) => client.send(message(i)));
    await until(() => servers.length === 1);
    expect(await settled(() => servers[0]!.received)).toBe(32);
    const timer = setInterval(() => servers[0]!.release(), 2);
    await Promise.all(sends);
    clearInterval(timer);
    await client.close();
  });

  it("without CHUNKING, at most 4 are in flight (one past its DATA)", async () => {
    const { client, servers } = windowClient(["PIPELINING", "8BITMIME"], { maxInFlight: 32 });
    const sends = Array.from({ length: 10 }, (_, i) => client.send(message(i)));
    await until(() => servers.length === 1);
    const server = servers[0]!;
    // Nothing answered: the first message waits for its 354, nothing is written behind it.
    expect(await settled(() => server.mails)).toBe(1);
    expect(server.received).toBe(0);
    const timer = setInterval(() => server.release(), 2);
    const results = await Promise.all(sends);
    clearInterval(timer);
    expect(results).toHaveLength(10);
    await client.close();
  });

  it("is bounded by maxInFlightBytes: at the bound, just under it and just over it", async () => {
    // Every message here has the same size; learn it from one send.
    const probe = windowClient(CHUNKING, {}, false);
    await probe.client.send(message(0, "x".repeat(500)));
    await probe.client.close();
    // A one-chunk message: its BDAT size is its size (SIZE=, what the bound counts).
    const size = probe.servers[0]!.chunkSizes[0]!;
    expect(size).toBeGreaterThan(500);
    for (const [bytes, expected] of [
      [3 * size, 3],
      [3 * size - 1, 2],
      [3 * size + 1, 3],
      [size - 1, 1], // the first message always goes
    ] as const) {
      const { client, servers } = windowClient(CHUNKING, { maxInFlightBytes: bytes });
      const sends = Array.from({ length: 6 }, (_, i) => client.send(message(i, "x".repeat(500))));
      await until(() => servers.length === 1);
      expect(await settled(() => servers[0]!.received)).toBe(expected);
      const timer = setInterval(() => servers[0]!.release(), 2);
      await Promise.all(sends);
      clearInterval(timer);
      await client.close();
    }
  });

  it("close() with messages in flight: QUIT goes out only after their last reply", async () => {
    const { client, servers } = windowClient(CHUNKING, {});
    const sends = [0, 1].map((i) => client.send(message(i)));
    await until(() => servers[0]?.received === 2);
    const closing = client.close();
    expect(await settled(() => (servers[0]!.quit ? 1 : 0))).toBe(0);
    servers[0]!.release();
    expect(await Promise.all(sends)).toHaveLength(2);
    await closing;
    expect(servers[0]!.quit).toEqual({ owed: 0 });
  });

  it("refuses a window that is not a positive integer", () => {
    for (const pool of [{ maxInFlight: 0 }, { maxInFlight: 1.5 }, { maxInFlightBytes: -1 }]) {
      expect(() => createClient({ host: "h.example", pool })).toThrow(SmtpError);
    }
    expect(() => createClient({ host: "h.example", pool: { maxInFlight: 1 } })).not.toThrow();
  });
});
