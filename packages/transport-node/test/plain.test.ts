import { getEventListeners } from "node:events";
import { type LookupFunction, Socket } from "node:net";
import { SmtpError } from "@smtp/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { nodeConnector } from "../src/index.ts";

import {
  activeHandles,
  encode,
  expectNoLeftovers,
  type RawServer,
  readUntil,
  settle,
  startRawServer,
} from "./servers.ts";

type LookupCallback = (
  error: Error | null,
  address: string | { address: string; family: number }[],
  family?: number,
) => void;

/** Greets, then echoes each chunk back as "250 <chunk>", closing after QUIT. */
function echoServer(host: string): Promise<RawServer> {
  return startRawServer(host, (socket) => {
    socket.write("220 ready\r\n");
    socket.on("data", (data) => {
      const text = data.toString();
      socket.write(`250 ${text}`);
      if (text.startsWith("QUIT")) socket.end();
    });
  });
}

/** A signal that fires with `reason` after `ms`, as the client's connect deadline does. */
function abortLater(reason: unknown, ms: number): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => controller.abort(reason), ms);
  return controller.signal;
}

let server: RawServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe.each(["127.0.0.1", "::1"])("plain TCP to %s", (host) => {
  it("reads the greeting, writes a command, reads the reply, then end-of-stream", async () => {
    server = await echoServer(host);
    const transport = await nodeConnector()({ host, port: server.port, tls: "none" });
    expect(transport.secure).toBe(false);
    expect(transport.remoteAddress).toBe(host);
    expect(transport.localAddress).toBe(host);
    expect(await readUntil(transport, (t) => t.endsWith("\r\n"))).toBe("220 ready\r\n");
    await transport.write(encode("QUIT\r\n"));
    expect(await readUntil(transport, (t) => t.endsWith("\r\n"))).toBe("250 QUIT\r\n");
    expect(await transport.read()).toBeNull();
    await transport.close();
    expect(await transport.read()).toBeNull();
  });
});

describe("address family", () => {
  it.each([
    [4, "127.0.0.1"],
    [6, "::1"],
  ] as const)("family %i asks the resolver for that family only", async (family, address) => {
    server = await echoServer(address);
    const asked: unknown[] = [];
    const lookup = ((
      _host: string,
      options: { all?: boolean; family?: unknown },
      callback: LookupCallback,
    ) => {
      asked.push(options.family);
      if (options.all) callback(null, [{ address, family }]);
      else callback(null, address, family);
    }) as unknown as LookupFunction;
    const transport = await nodeConnector({ family, lookup })({
      host: "mail.example.test",
      port: server.port,
      tls: "none",
    });
    expect(asked).toEqual([family]);
    expect(transport.remoteAddress).toBe(address);
    await transport.close();
  });
});

describe("the read contract", () => {
  it("allows one outstanding read, and keeps answering null after end-of-stream", async () => {
    server = await startRawServer("127.0.0.1", (socket) => socket.end("221 bye\r\n"));
    const transport = await nodeConnector()({ host: "127.0.0.1", port: server.port, tls: "none" });
    const first = transport.read();
    await expect(transport.read()).rejects.toThrow(/already pending/);
    expect(new TextDecoder().decode((await first) ?? undefined)).toBe("221 bye\r\n");
    expect(await transport.read()).toBeNull();
    expect(await transport.read()).toBeNull();
    await transport.close();
  });
});

describe("connect failures", () => {
  it("turns a refused port into a retryable connection error that keeps the cause", async () => {
    const closed = await echoServer("127.0.0.1");
    const port = closed.port;
    await closed.stop();
    const error = await nodeConnector()({ host: "127.0.0.1", port, tls: "none" }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SmtpError);
    expect(error).toMatchObject({ kind: "connection", retryable: true, detail: "ECONNREFUSED" });
    expect((error as SmtpError).cause).toMatchObject({ code: "ECONNREFUSED" });
    await settle();
  });

  it("turns an unknown host into a connection error (ENOTFOUND)", async () => {
    const error = await nodeConnector()({
      host: "no-such-host.invalid",
      port: 25,
      tls: "none",
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "connection", retryable: true });
    expect(["ENOTFOUND", "EAI_AGAIN"]).toContain((error as SmtpError).detail);
  });

  it("refuses an invalid port before connecting", async () => {
    await expect(
      nodeConnector()({ host: "127.0.0.1", port: 70_000, tls: "none" }),
    ).rejects.toMatchObject({ kind: "invalid-input" });
  });

  it("rejects with `aborted` when the signal is already aborted, keeping the reason", async () => {
    server = await echoServer("127.0.0.1");
    const reason = new Error("stop");
    const error = await nodeConnector()(
      { host: "127.0.0.1", port: server.port, tls: "none" },
      AbortSignal.abort(reason),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "aborted", cause: reason });
    expect(server.sockets.size).toBe(0);
  });
});

describe("connect deadline", () => {
  // A lookup that never answers holds the socket in its connecting phase, as a black-holed
  // address would, without leaving loopback.
  const stalledLookup = (() => {}) as unknown as LookupFunction;

  it("the caller's signal is the deadline: its SmtpError reason rejects, leaving no socket or timer", async () => {
    await settle();
    const before = activeHandles();
    const deadline = new SmtpError({ kind: "timeout", phase: "connect", message: "too slow" });
    const error = await nodeConnector({ lookup: stalledLookup })(
      { host: "stalled.example.test", port: 25, tls: "none" },
      abortLater(deadline, 50),
    ).catch((e: unknown) => e);
    expect(error).toBe(deadline);
    await settle();
    await expectNoLeftovers(before);
  });

  it("an abort while connecting rejects with `aborted`", async () => {
    const controller = new AbortController();
    const connecting = nodeConnector({ lookup: stalledLookup })(
      { host: "stalled.example.test", port: 25, tls: "implicit" },
      controller.signal,
    );
    controller.abort(new Error("cancelled"));
    await expect(connecting).rejects.toMatchObject({ kind: "aborted" });
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("uses the given lookup to resolve the host", async () => {
    server = await echoServer("127.0.0.1");
    const asked: string[] = [];
    const lookup = ((hostname: string, options: { all?: boolean }, callback: LookupCallback) => {
      asked.push(hostname);
      // net asks for every address when it races families (autoSelectFamily), else one.
      if (options.all) callback(null, [{ address: "127.0.0.1", family: 4 }]);
      else callback(null, "127.0.0.1", 4);
    }) as unknown as LookupFunction;
    const transport = await nodeConnector({ lookup })({
      host: "mail.example.test",
      port: server.port,
      tls: "none",
    });
    expect(asked).toContain("mail.example.test");
    expect(transport.remoteAddress).toBe("127.0.0.1");
    await transport.close();
  });
});

describe("the caller's AbortSignal", () => {
  it("keeps no listener on the signal once connected, nor after a failed connect", async () => {
    server = await echoServer("127.0.0.1");
    const controller = new AbortController();
    const transport = await nodeConnector()(
      { host: "127.0.0.1", port: server.port, tls: "none" },
      controller.signal,
    );
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    await transport.close();
    const port = server.port;
    await server.stop();
    server = undefined;
    await expect(
      nodeConnector()({ host: "127.0.0.1", port, tls: "none" }, controller.signal),
    ).rejects.toMatchObject({ kind: "connection" });
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });
});

describe("close and abort", () => {
  it("close() ends the connection gracefully, is idempotent, and leaves no handle behind", async () => {
    server = await startRawServer("127.0.0.1", (socket) => {
      socket.write("220 ready\r\n");
      socket.on("end", () => socket.end());
    });
    await settle();
    const before = activeHandles();
    const transport = await nodeConnector()({ host: "127.0.0.1", port: server.port, tls: "none" });
    await readUntil(transport, (t) => t.endsWith("\r\n"));
    const pendingRead = transport.read();
    await Promise.all([transport.close(), transport.close()]);
    expect(await pendingRead).toBeNull();
    await expect(transport.write(encode("NOOP\r\n"))).rejects.toMatchObject({
      kind: "connection",
    });
    await settle();
    expect(server.sockets.size).toBe(0);
    await expectNoLeftovers(before);
  });

  it("close() waits for a server that never closes its side, until abort() cuts it short", async () => {
    let serverSawEnd = false;
    server = await startRawServer(
      "127.0.0.1",
      (socket) => {
        socket.write("220 ready\r\n");
        // Half-open: the server reads and notes our FIN, but never closes its side.
        socket.resume();
        socket.on("end", () => {
          serverSawEnd = true;
        });
      },
      { allowHalfOpen: true },
    );
    const transport = await nodeConnector()({
      host: "127.0.0.1",
      port: server.port,
      tls: "none",
    });
    let closed = false;
    const closing = transport.close().then(() => {
      closed = true;
    });
    while (!serverSawEnd) await settle();
    expect(closed).toBe(false);
    // The driver bounds a graceful close and aborts past it.
    transport.abort();
    await closing;
    expect(await transport.read()).toBeNull();
  });

  it("abort() destroys at once: the pending read resolves null, pending writes reject", async () => {
    server = await startRawServer("127.0.0.1", (socket) => socket.pause());
    await settle();
    const before = activeHandles();
    const transport = await nodeConnector()({ host: "127.0.0.1", port: server.port, tls: "none" });
    const pendingRead = transport.read();
    // The server reads nothing, so enough bytes leave a write waiting for 'drain'.
    const big = new Uint8Array(4 * 1024 * 1024);
    let pendingWrite: Promise<void> = Promise.resolve();
    for (let i = 0; i < 64; i++) {
      pendingWrite = transport.write(big);
      const state = await Promise.race([pendingWrite.then(() => "done"), settle().then(() => "")]);
      if (state === "") break;
    }
    const reason = new Error("caller gave up");
    transport.abort(reason);
    transport.abort(reason);
    expect(await pendingRead).toBeNull();
    await expect(pendingWrite).rejects.toMatchObject({ kind: "aborted", cause: reason });
    await transport.close();
    for (const socket of server.sockets) socket.destroy();
    await settle();
    await expectNoLeftovers(before);
  });

  it("write() resolves only once Node has let go of the bytes, not when socket.write() returns true", async () => {
    // After a partial kernel write, socket.write() can return true while the tail of the very
    // buffer it was given still waits in Node's queue; a caller that reuses its buffer as soon
    // as write() resolves (the engine's BODY_COPY_LIMIT rule) would then send garbage. Hold
    // back the socket's write callback and check that write() waits for it.
    server = await echoServer("127.0.0.1");
    const transport = await nodeConnector()({ host: "127.0.0.1", port: server.port, tls: "none" });
    await readUntil(transport, (t) => t.endsWith("\r\n"));
    const original = Socket.prototype.write as (
      this: Socket,
      chunk: Uint8Array,
      callback?: (error?: Error | null) => void,
    ) => boolean;
    let release: (() => void) | undefined;
    const spy = vi.spyOn(Socket.prototype, "write").mockImplementation(function (
      this: Socket,
      chunk: unknown,
      callback?: unknown,
    ) {
      // Only the transport passes a callback; the test server's own writes go through.
      if (typeof callback !== "function") return original.call(this, chunk as Uint8Array);
      const done = callback as (error?: Error | null) => void;
      return original.call(this, chunk as Uint8Array, (error?: Error | null) => {
        release = () => done(error);
      });
    } as typeof Socket.prototype.write);
    let resolved = false;
    const writing = transport.write(encode("NOOP\r\n")).then(() => {
      resolved = true;
    });
    try {
      await readUntil(transport, (t) => t.includes("NOOP"));
      expect(release).toBeDefined();
      expect(resolved).toBe(false);
    } finally {
      spy.mockRestore();
    }
    release?.();
    await writing;
    expect(resolved).toBe(true);
    await transport.close();
  });

  it("a server reset rejects the pending read with a retryable connection error", async () => {
    server = await startRawServer("127.0.0.1", (socket) => {
      socket.write("220 ready\r\n");
      socket.on("data", () => socket.resetAndDestroy());
    });
    const transport = await nodeConnector()({ host: "127.0.0.1", port: server.port, tls: "none" });
    await readUntil(transport, (t) => t.endsWith("\r\n"));
    await transport.write(encode("EHLO x\r\n"));
    const error = await transport.read().catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "connection", retryable: true, detail: "ECONNRESET" });
    await expect(transport.write(encode("NOOP\r\n"))).rejects.toBe(error);
    await transport.close();
  });
});
