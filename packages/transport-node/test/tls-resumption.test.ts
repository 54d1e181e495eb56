import { constants } from "node:crypto";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { createServer as createTlsServer, type Server, type TLSSocket } from "node:tls";
import { SmtpError } from "@smtp/core";
import type { Connector } from "@smtp/core/transport-kit";
import {
  createTestCa,
  hasPostfix,
  type PostfixEnv,
  postfixEnv,
  type TestCa,
} from "@smtp-internal/test-peer";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { type NodeTransport, nodeConnector, TlsSessionCache } from "../src/index.ts";
import { encode, readUntil, startStartTlsServer } from "./servers.ts";

let ca: TestCa;
beforeAll(async () => {
  ca = await createTestCa();
});

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((resolve) => s.close(resolve));
});

const line = (t: string): boolean => t.endsWith("\r\n");

/**
 * An implicit-TLS server that greets and echoes. `tls12Ids`: TLS 1.2 only, tickets off and
 * a session cache, so that only a session id can resume.
 */
async function tlsServer(tls12Ids = false): Promise<number> {
  const server = createTlsServer(
    {
      key: ca.keyPem,
      cert: ca.fullchainPem,
      ...(tls12Ids ? { maxVersion: "TLSv1.2", secureOptions: constants.SSL_OP_NO_TICKET } : {}),
    },
    (socket) => {
      socket.on("error", () => {});
      socket.write("220 secure hello\r\n");
      socket.on("data", (d) => socket.write(`250 ${d.toString()}`));
    },
  );
  if (tls12Ids) {
    const cache = new Map<string, Buffer>();
    server.on("newSession", (id: Buffer, data: Buffer, done: () => void) => {
      cache.set(id.toString("hex"), data);
      done();
    });
    server.on("resumeSession", (id: Buffer, done: (e: Error | null, d: Buffer | null) => void) =>
      done(null, cache.get(id.toString("hex")) ?? null),
    );
  }
  server.on("tlsClientError", () => {});
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return (server.address() as AddressInfo).port;
}

/** One implicit-TLS connection through `connect`: greeting, NOOP (which brings a TLS 1.3 ticket), close. */
async function roundTrip(connect: Connector, port: number): Promise<boolean> {
  const transport = (await connect({
    host: "127.0.0.1",
    port,
    tls: "implicit",
  })) as NodeTransport;
  await readUntil(transport, line);
  await transport.write(encode("NOOP\r\n"));
  await readUntil(transport, line);
  const reused = transport.tlsSessionReused;
  await transport.close();
  return reused;
}

describe("TLS session resumption across a connector's connections", () => {
  it("TLS 1.3: the second connection resumes the first one's session (a ticket)", async () => {
    const port = await tlsServer();
    const connect = nodeConnector({ tls: { ca: ca.caPem, servername: "localhost" } });
    expect(await roundTrip(connect, port)).toBe(false);
    expect(await roundTrip(connect, port)).toBe(true);
    expect(await roundTrip(connect, port)).toBe(true);
  });

  it("TLS 1.2 without tickets: the second connection resumes by session id", async () => {
    const port = await tlsServer(true);
    const connect = nodeConnector({ tls: { ca: ca.caPem, servername: "localhost" } });
    expect(await roundTrip(connect, port)).toBe(false);
    expect(await roundTrip(connect, port)).toBe(true);
  });

  it("resumeSessions: false, or another connector, makes a full handshake each time", async () => {
    const port = await tlsServer();
    const off = nodeConnector({
      tls: { ca: ca.caPem, servername: "localhost" },
      resumeSessions: false,
    });
    expect(await roundTrip(off, port)).toBe(false);
    expect(await roundTrip(off, port)).toBe(false);
    const first = nodeConnector({ tls: { ca: ca.caPem, servername: "localhost" } });
    const second = nodeConnector({ tls: { ca: ca.caPem, servername: "localhost" } });
    await roundTrip(first, port);
    expect(await roundTrip(second, port)).toBe(false);
  });

  it("a session goes only to the name it was made for, whose certificate is still checked", async () => {
    const port = await tlsServer();
    const connect = nodeConnector({ tls: { ca: ca.caPem, servername: "localhost" } });
    await roundTrip(connect, port);
    // Another name (on the same connector, same host and port) gets no session: a full
    // handshake, and the certificate (for localhost) does not match it.
    const other = nodeConnector({ tls: { ca: ca.caPem, servername: "other.test" } });
    const error = await roundTrip(other, port).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmtpError);
    expect((error as SmtpError).kind).toBe("tls");
  });

  it("the cache keeps one session per server, name and port, at most 32", () => {
    const cache = new TlsSessionCache();
    const a = cache.slot("127.0.0.1", 25, "localhost");
    expect(a.get()).toBeUndefined();
    a.set(Uint8Array.of(1));
    a.set(Uint8Array.of(2));
    expect(a.get()).toEqual(Uint8Array.of(2));
    expect(cache.slot("127.0.0.1", 26, "localhost").get()).toBeUndefined();
    expect(cache.slot("127.0.0.1", 25, "other.test").get()).toBeUndefined();
    for (let port = 1; port <= 32; port++) cache.slot("h", port, "h").set(Uint8Array.of(port));
    expect(cache.size).toBe(32);
    // The oldest (the first server's) went first.
    expect(a.get()).toBeUndefined();
    expect(cache.slot("h", 32, "h").get()).toEqual(Uint8Array.of(32));
  });

  it("STARTTLS: a later connection's upgrade resumes the earlier one's session", async () => {
    const server = await startStartTlsServer("127.0.0.1", ca);
    try {
      const connect = nodeConnector({ tls: { ca: ca.caPem } });
      const reused: boolean[] = [];
      for (let i = 0; i < 3; i++) {
        const transport = (await connect({
          host: "127.0.0.1",
          port: server.port,
          tls: "starttls",
        })) as NodeTransport;
        await readUntil(transport, line);
        await transport.write(encode("STARTTLS\r\n"));
        await readUntil(transport, line);
        await transport.startTls({ servername: "localhost" });
        await transport.write(encode("EHLO x\r\n"));
        await readUntil(transport, line);
        reused.push(transport.tlsSessionReused);
        await transport.close();
      }
      expect(reused).toEqual([false, true, true]);
    } finally {
      await server.stop();
    }
  });
});

describe.runIf(hasPostfix())("TLS session resumption against Postfix (STARTTLS)", () => {
  let env: PostfixEnv;
  beforeAll(async () => {
    env = (await postfixEnv()) as PostfixEnv;
  });

  it("resumes the session of an earlier connection to the submission port", async () => {
    const connect = nodeConnector({ tls: { ca: env.caPem } });
    const reused: boolean[] = [];
    for (let i = 0; i < 2; i++) {
      const transport = (await connect({
        host: env.host,
        port: env.submissionPort,
        tls: "starttls",
      })) as NodeTransport;
      await readUntil(transport, line);
      await transport.write(encode("EHLO client.test\r\n"));
      await readUntil(transport, (t) => /^250 /m.test(t));
      await transport.write(encode("STARTTLS\r\n"));
      await readUntil(transport, line);
      await transport.startTls({ servername: "localhost" });
      await transport.write(encode("EHLO client.test\r\n"));
      await readUntil(transport, (t) => /^250 /m.test(t));
      reused.push(transport.tlsSessionReused);
      await transport.write(encode("QUIT\r\n"));
      await readUntil(transport, line);
      await transport.close();
    }
    expect(reused).toEqual([false, true]);
  });
});

// Types only: the socket the transport upgrades to is a TLSSocket.
export type { TLSSocket };
