import type { Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { connectNode } from "../src/index.ts";
import { type RawServer, settle, startRawServer } from "./servers.ts";

let server: RawServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** Whether `promise` is still pending once pending I/O callbacks have run. */
async function isPending(promise: Promise<unknown>): Promise<boolean> {
  const marker = Symbol("pending");
  const result = await Promise.race([promise.then(() => null), settle().then(() => marker)]);
  return result === marker;
}

describe("back-pressure", () => {
  it("write() stays pending while the server reads nothing, and resolves once it reads", async () => {
    let serverSocket: Socket | undefined;
    let receivedBytes = 0;
    server = await startRawServer("127.0.0.1", (socket) => {
      serverSocket = socket;
      socket.pause();
      socket.on("data", (d) => {
        receivedBytes += d.byteLength;
      });
    });
    const transport = await connectNode({ host: "127.0.0.1", port: server.port, tls: "none" });
    const chunk = new Uint8Array(1024 * 1024).fill(0x61);
    let written = 0;
    let blocked: Promise<void> | undefined;
    // The kernel buffers absorb a few MiB; past them a write must wait.
    for (let i = 0; i < 256 && blocked === undefined; i++) {
      const write = transport.write(chunk);
      written += chunk.byteLength;
      if (await isPending(write)) blocked = write;
    }
    expect(blocked).toBeDefined();
    expect(await isPending(blocked as Promise<void>)).toBe(true);
    serverSocket?.resume();
    await blocked;
    await transport.close();
    while (receivedBytes < written) await settle();
    expect(receivedBytes).toBe(written);
  });

  it("a reader that falls behind pauses the socket: at most maxReadBuffer plus one chunk is queued", async () => {
    const total = 8 * 1024 * 1024;
    let serverBlocked = false;
    server = await startRawServer("127.0.0.1", (socket) => {
      const block = new Uint8Array(64 * 1024).fill(0x62);
      let sent = 0;
      const pump = (): void => {
        while (sent < total) {
          sent += block.byteLength;
          if (!socket.write(block)) {
            serverBlocked = true;
            socket.once("drain", pump);
            return;
          }
        }
        socket.end();
      };
      pump();
    });
    const maxReadBuffer = 32 * 1024;
    const transport = await connectNode(
      { host: "127.0.0.1", port: server.port, tls: "none" },
      { maxReadBuffer },
    );
    // Nobody reads: the server must end up blocked, with the queue still bounded.
    while (!serverBlocked) await settle();
    for (let i = 0; i < 5; i++) await settle();
    expect(transport.bufferedBytes).toBeGreaterThan(0);
    expect(transport.bufferedBytes).toBeLessThanOrEqual(maxReadBuffer + 64 * 1024);
    let read = 0;
    for (;;) {
      const chunk = await transport.read();
      if (chunk === null) break;
      read += chunk.byteLength;
      expect(transport.bufferedBytes).toBeLessThanOrEqual(maxReadBuffer + 64 * 1024);
    }
    expect(read).toBe(total);
    await transport.close();
  });

  it("close() on a paused socket drains and discards what is unread, so the server's close arrives", async () => {
    let serverBlocked = false;
    server = await startRawServer("127.0.0.1", (socket) => {
      const block = new Uint8Array(64 * 1024);
      const pump = (): void => {
        for (let i = 0; i < 256; i++) {
          if (!socket.write(block)) {
            serverBlocked = true;
            socket.once("drain", pump);
            return;
          }
        }
      };
      pump();
      socket.on("end", () => socket.end());
    });
    // The transport has no close timer: only a real close from the server ends this.
    const transport = await connectNode(
      { host: "127.0.0.1", port: server.port, tls: "none" },
      { maxReadBuffer: 16 * 1024 },
    );
    // Filled past maxReadBuffer: the socket is paused now.
    while (transport.bufferedBytes < 16 * 1024) await settle();
    expect(serverBlocked).toBe(true);
    await transport.close();
    expect(transport.bufferedBytes).toBe(0);
    expect(await transport.read()).toBeNull();
  });
});
