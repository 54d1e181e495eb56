/**
 * A TCP proxy on 127.0.0.1 that holds every chunk for `delayMs` in each direction
 * (RTT = 2 × delay), so that round trips cost what they cost on a network. It counts the
 * chunks in each direction and the client's bursts: how often the client starts sending
 * again after the server spoke, that is, how often it waited for a reply.
 */
import { connect, createServer, type Server, type Socket } from "node:net";

/** Counters of a proxy since the last reset. @since 0.1.0 */
export interface ProxyCounters {
  connections: number;
  /** Chunks read from clients (≈ client writes). */
  clientReads: number;
  /** Chunks read from the server. */
  serverReads: number;
  /** Times a client sent after the server had sent: its waits for replies. */
  clientBursts: number;
  /**
   * Sum of the time chunks were actually held, ms, and their number, per direction: timers
   * fire late, so the round trip a client really met is the two mean holds, a little over
   * 2·D (the "measured RTT").
   */
  heldUp: number;
  chunksUp: number;
  heldDown: number;
  chunksDown: number;
}

/** A running proxy. @since 0.1.0 */
export interface DelayProxy {
  port: number;
  delayMs: number;
  counters(): ProxyCounters;
  reset(): void;
  close(): Promise<void>;
}

function emptyCounters(): ProxyCounters {
  return {
    connections: 0,
    clientReads: 0,
    serverReads: 0,
    clientBursts: 0,
    heldUp: 0,
    chunksUp: 0,
    heldDown: 0,
    chunksDown: 0,
  };
}

/**
 * The round trip the proxy really imposed between two snapshots of its counters: the mean
 * hold of a chunk in each direction, added; NaN without chunks both ways.
 *
 * @since 0.2.0
 */
export function measuredRtt(before: ProxyCounters, after: ProxyCounters): number {
  const up = (after.heldUp - before.heldUp) / (after.chunksUp - before.chunksUp);
  const down = (after.heldDown - before.heldDown) / (after.chunksDown - before.chunksDown);
  return up + down;
}

/** Above this many queued bytes towards one side, reading from the other side pauses. */
const HIGH_WATER = 4 * 1024 * 1024;

/**
 * Starts a proxy to `127.0.0.1:targetPort` adding `delayMs` per direction.
 *
 * @since 0.1.0
 */
export async function startProxy(targetPort: number, delayMs: number): Promise<DelayProxy> {
  let counters = emptyCounters();
  const sockets = new Set<Socket>();

  const server: Server = createServer((client) => {
    counters.connections++;
    const upstream = connect({ host: "127.0.0.1", port: targetPort });
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client);
    sockets.add(upstream);
    // The greeting comes first, so the client's first command is already a burst.
    let lastFromServer = true;

    const forward = (
      from: Socket,
      to: Socket,
      onChunk: () => void,
      onHeld: (ms: number) => void,
    ) => {
      let queued = 0;
      let waitingForDrain = false;
      from.on("data", (chunk: Buffer) => {
        onChunk();
        queued += chunk.length;
        if (queued > HIGH_WATER) from.pause();
        const arrived = performance.now();
        setTimeout(() => {
          onHeld(performance.now() - arrived);
          queued -= chunk.length;
          if (!to.destroyed) to.write(chunk);
          if (!from.isPaused() || queued > HIGH_WATER || waitingForDrain) return;
          if (to.writableLength <= HIGH_WATER) from.resume();
          else {
            waitingForDrain = true;
            to.once("drain", () => {
              waitingForDrain = false;
              from.resume();
            });
          }
        }, delayMs);
      });
      from.on("end", () => setTimeout(() => to.end(), delayMs));
      from.on("error", () => setTimeout(() => to.destroy(), delayMs));
      from.on("close", () => {
        sockets.delete(from);
        setTimeout(() => to.destroy(), delayMs + 1);
      });
    };
    forward(
      client,
      upstream,
      () => {
        counters.clientReads++;
        if (lastFromServer) counters.clientBursts++;
        lastFromServer = false;
      },
      (ms) => {
        counters.heldUp += ms;
        counters.chunksUp++;
      },
    );
    forward(
      upstream,
      client,
      () => {
        counters.serverReads++;
        lastFromServer = true;
      },
      (ms) => {
        counters.heldDown += ms;
        counters.chunksDown++;
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("proxy has no port");

  return {
    port: address.port,
    delayMs,
    counters: () => ({ ...counters }),
    reset() {
      counters = emptyCounters();
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
