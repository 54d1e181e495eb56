/**
 * The server process: one sink plus any delaying proxies, driven by the runner over IPC.
 * Kept out of the client's process so that the sink's CPU never counts as the client's.
 */

import type { ServerHello, ServerReply, ServerRequest, ServerSnapshot } from "./protocol.ts";
import { type DelayProxy, startProxy } from "./proxy.ts";
import { startSink } from "./sink.ts";

const send = process.send?.bind(process);
if (!send) throw new Error("bench/server.ts runs as a child process of bench/run.ts");

const sink = await startSink({ greetingDelayMs: Number(process.env.BENCH_GREETING_DELAY ?? 0) });
const proxies = new Map<number, DelayProxy>();

function snapshot(): ServerSnapshot {
  const proxyCounters: ServerSnapshot["proxies"] = {};
  for (const [port, proxy] of proxies) proxyCounters[port] = proxy.counters();
  return { cpu: process.cpuUsage(), sink: sink.counters(), proxies: proxyCounters };
}

async function handle(request: ServerRequest): Promise<ServerReply> {
  switch (request.op) {
    case "reset":
      sink.reset(request.mode);
      for (const proxy of proxies.values()) proxy.reset();
      return { id: request.id, ok: true };
    case "snapshot":
      return { id: request.id, ok: true, snapshot: snapshot() };
    case "stored":
      return { id: request.id, ok: true, stored: sink.stored() };
    case "proxy": {
      // In front of the sink, or of a real server on this machine (bench/real-servers.ts).
      const proxy = await startProxy(request.targetPort ?? sink.port, request.delayMs);
      proxies.set(proxy.port, proxy);
      return { id: request.id, ok: true, port: proxy.port };
    }
    case "close-proxy":
      await proxies.get(request.port)?.close();
      proxies.delete(request.port);
      return { id: request.id, ok: true };
    case "stop":
      for (const proxy of proxies.values()) await proxy.close();
      // Connections still open (a client that did not QUIT) must not hold the run up.
      await Promise.race([sink.close(), new Promise((resolve) => setTimeout(resolve, 1000))]);
      setImmediate(() => process.disconnect());
      return { id: request.id, ok: true };
  }
}

process.on("message", (request: ServerRequest) => {
  handle(request).then(
    (reply) => send(reply),
    (error: unknown) => send({ id: request.id, ok: false, error: String(error) }),
  );
});
// The runner going away (even by a crash) ends this process too.
process.on("disconnect", () => {
  setTimeout(() => process.exit(0), 200).unref();
});

const hello: ServerHello = { hello: true, sinkPort: sink.port };
send(hello);
