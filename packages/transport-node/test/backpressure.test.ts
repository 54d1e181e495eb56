import { afterEach, describe, expect, it } from "vitest";
import { connectNode } from "../src/index.ts";
import { type RawServer, settle, startRawServer } from "./servers.ts";

let server: RawServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

// write() waiting for a slow reader is checked for every transport by the conformance suite.
describe("back-pressure", () => {
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
