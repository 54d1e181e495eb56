/**
 * Diagnostic (run by hand; prints figures, asserts nothing): what `@smtp/client` costs per
 * message in JavaScript alone, with no socket and no kernel in the way. The client sends the
 * throughput bench's message (~2.4 KB of text, one recipient) through a fake in-memory SMTP
 * server (over the project's in-memory transport pair) that answers every command at once,
 * 64 `send()` calls outstanding on one pooled connection, as in `pnpm bench` at RTT 0.
 *
 *   pnpm build && node --import tsx bench/in-process.ts            # CPU µs per message
 *   pnpm build && node --import tsx bench/in-process.ts --alloc    # bytes allocated per message, by function
 *   pnpm build && node --import tsx bench/in-process.ts --tcp      # the same over a socket to the bench's sink
 *
 * The CPU figure is process CPU time over a round of N messages (median of the rounds);
 * `--alloc` samples every allocation, those collected since included (V8's sampling heap
 * profiler), over one round, and lists the functions that allocated most. The fake server's
 * own work (decoding what it reads, its replies) is counted too: it is small, and listed.
 */
import { Session } from "node:inspector/promises";
import { parseArgs } from "node:util";
import { recipients, textMessage } from "./fixtures.ts";
import { startServer } from "./processes.ts";
import { loadClientModule, loadTransportKitModule } from "./smtp-modules.ts";

const { values } = parseArgs({
  options: {
    n: { type: "string", default: "20000" },
    warm: { type: "string", default: "5000" },
    rounds: { type: "string", default: "5" },
    alloc: { type: "boolean", default: false },
    top: { type: "string", default: "25" },
    tcp: { type: "boolean", default: false },
  },
});
const N = Number(values.n);
const WARM = Number(values.warm);
const ROUNDS = values.alloc ? 1 : Number(values.rounds);

const encoder = new TextEncoder();
const CRLF = Buffer.from("\r\n");
const END_OF_DATA = Buffer.from("\r\n.\r\n");
const { memoryTransportPair } = await loadTransportKitModule();
type MemoryTransport = ReturnType<typeof memoryTransportPair>["server"];

/**
 * The server end of an in-memory connection (the project's `memoryTransportPair`): an SMTP
 * server with PIPELINING that answers each read's commands at once, a message's data once
 * its dot is in. It works on the bytes (Buffer's native search) and decodes only command
 * lines, so that its own garbage stays small next to the client's.
 */
async function serve(end: MemoryTransport): Promise<void> {
  let inData = false;
  /** Unconsumed input: a command line or the end of data may span reads. */
  let pending = Buffer.alloc(0);
  await end.write(encoder.encode("220 fake ESMTP\r\n"));
  for (let chunk = await end.read(); chunk !== null; chunk = await end.read()) {
    const view = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let input = pending.length === 0 ? view : Buffer.concat([pending, view]);
    let replies = "";
    let quit = false;
    for (;;) {
      if (inData) {
        const dot = input.indexOf(END_OF_DATA);
        if (dot < 0) break;
        input = input.subarray(dot + END_OF_DATA.length);
        inData = false;
        replies += "250 queued\r\n";
        continue;
      }
      const eol = input.indexOf(CRLF);
      if (eol < 0) break;
      const verb = input.toString("latin1", 0, Math.min(4, eol)).toUpperCase();
      input = input.subarray(eol + 2);
      if (verb === "EHLO") replies += "250-fake\r\n250-PIPELINING\r\n250 8BITMIME\r\n";
      else if (verb === "DATA") {
        replies += "354 go\r\n";
        inData = true;
      } else if (verb === "QUIT") {
        replies += "221 bye\r\n";
        quit = true;
      } else replies += "250 ok\r\n";
    }
    // Keep only the end of data's last 4 octets (it may span reads), or a partial command.
    pending = Buffer.from(inData ? input.subarray(Math.max(0, input.length - 4)) : input);
    if (replies !== "") await end.write(encoder.encode(replies));
    if (quit) break;
  }
  await end.close();
}

const { createClient } = await loadClientModule();
// --tcp: the bench's smtp-server sink in a process of its own, over a loopback socket
// (`@smtp/transport-node`), as in `pnpm bench` at RTT 0; its CPU is not counted here.
const sink = values.tcp ? await startServer() : undefined;
await sink?.reset({
  store: "memory",
  sampleEvery: 1_000_000,
  sampleMax: 0,
  throttleBytesPerSec: 0,
});
const client = createClient({
  host: "127.0.0.1",
  port: sink?.sinkPort ?? 25,
  starttls: "never",
  pool: { maxConnections: 1 },
  ...(sink
    ? {}
    : {
        transport: async () => {
          const { client, server } = memoryTransportPair({ highWaterMark: 1 << 20 });
          void serve(server);
          return client;
        },
      }),
});
const to = recipients(1);

async function sendMany(count: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await client.send(textMessage(next++, to));
  };
  await Promise.all(Array.from({ length: 64 }, worker));
}

/** Self size per function (`name file:line`), from a sampling heap profile's tree. */
interface AllocNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: AllocNode[];
}
function bySite(node: AllocNode, into = new Map<string, number>()): Map<string, number> {
  const { functionName, url, lineNumber } = node.callFrame;
  const site = `${functionName || "(anonymous)"} ${url.replace(/.*\//, "")}:${lineNumber + 1}`;
  into.set(site, (into.get(site) ?? 0) + node.selfSize);
  for (const child of node.children) bySite(child, into);
  return into;
}

await sendMany(WARM);
if (values.alloc) {
  const inspector = new Session();
  inspector.connect();
  await inspector.post("HeapProfiler.enable");
  await inspector.post("HeapProfiler.startSampling", {
    samplingInterval: 512,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  await sendMany(N);
  const { profile } = (await inspector.post("HeapProfiler.stopSampling")) as {
    profile: { head: AllocNode };
  };
  const sites = [...bySite(profile.head)].sort((a, b) => b[1] - a[1]);
  const total = sites.reduce((sum, [, bytes]) => sum + bytes, 0);
  console.log(`allocated per message: ${(total / N).toFixed(0)} bytes (N = ${N})`);
  for (const [site, bytes] of sites.slice(0, Number(values.top))) {
    console.log(`${(bytes / N).toFixed(0).padStart(7)}  ${site}`);
  }
} else {
  const perMessage: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.cpuUsage();
    await sendMany(N);
    const used = process.cpuUsage(start);
    perMessage.push((used.user + used.system) / N);
  }
  const sorted = [...perMessage].sort((a, b) => a - b);
  const median = sorted[sorted.length >> 1]!;
  const all = perMessage.map((x) => x.toFixed(1)).join(" ");
  console.log(
    `CPU per message: ${median.toFixed(1)} µs median of ${ROUNDS} rounds of ${N} (${all})`,
  );
}
await client.close();
await sink?.stop();
