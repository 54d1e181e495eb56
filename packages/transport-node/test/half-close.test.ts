import type { Socket } from "node:net";
import { createTestCa, type TestCa } from "@smtp-internal/test-peer";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { nodeConnector } from "../src/index.ts";
import {
  activeHandles,
  encode,
  expectNoLeftovers,
  type RawServer,
  readUntil,
  settle,
  startRawServer,
  startTlsServer,
} from "./servers.ts";

let ca: TestCa;
beforeAll(async () => {
  ca = await createTestCa();
});

let server: RawServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const line = (t: string): boolean => t.endsWith("\r\n");

/**
 * Answers QUIT only once the client has ended its side, as Exim 4.96 does (it holds its 221
 * until then, for up to 200 ms; this one holds it for good). Records what it saw.
 */
function holdsQuitUntilEnd(seen: string[]): (socket: Socket) => void {
  return (socket) => {
    socket.write("220 ready\r\n");
    let quit = false;
    socket.on("data", (data) => {
      seen.push(data.toString());
      quit ||= data.toString().startsWith("QUIT");
    });
    socket.on("end", () => {
      seen.push("(end)");
      if (quit) socket.end("221 bye\r\n");
    });
  };
}

describe("closeWrite: the half-close after QUIT", () => {
  for (const tls of ["none", "implicit"] as const) {
    it(`${tls === "none" ? "plain TCP" : "implicit TLS"}: the server sees QUIT then the end, and its 221 still arrives`, async () => {
      const seen: string[] = [];
      server =
        tls === "none"
          ? await startRawServer("127.0.0.1", holdsQuitUntilEnd(seen), { allowHalfOpen: true })
          : await startTlsServer("127.0.0.1", ca, holdsQuitUntilEnd(seen), { allowHalfOpen: true });
      await settle();
      const before = activeHandles();
      const transport = await nodeConnector({ tls: { ca: ca.caPem } })({
        host: "localhost",
        port: server.port,
        tls,
      });
      expect(await readUntil(transport, line)).toBe("220 ready\r\n");
      await transport.write(encode("QUIT\r\n"));
      await transport.closeWrite?.();
      expect(await readUntil(transport, line)).toBe("221 bye\r\n");
      expect(await transport.read()).toBeNull();
      expect(seen).toEqual(["QUIT\r\n", "(end)"]);
      await expect(transport.write(encode("NOOP\r\n"))).rejects.toMatchObject({
        kind: "connection",
      });
      await transport.close();
      // The server's TLS socket lets go of its timer a turn after the close.
      await settle();
      await expectNoLeftovers(before);
    });
  }
});
