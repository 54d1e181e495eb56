import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { SmtpError } from "@smtp/core";
import type { Transport } from "@smtp/core/transport-kit";
import { createTestCa, type TestCa } from "@smtp-internal/test-peer";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { connectNode, type NodeTransportOptions, nodeConnector } from "../src/index.ts";
import {
  activeHandles,
  encode,
  expectNoLeftovers,
  type RawServer,
  readUntil,
  settle,
  startRawServer,
  startStartTlsServer,
  startTlsServer,
} from "./servers.ts";

let ca: TestCa;
let otherCa: TestCa;
beforeAll(async () => {
  [ca, otherCa] = await Promise.all([createTestCa(), createTestCa()]);
});

let server: RawServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const line = (t: string): boolean => t.endsWith("\r\n");

/**
 * Opens a STARTTLS connection to the loopback `port` and reads the greeting, sends STARTTLS
 * and reads the go-ahead: the transport is ready for `startTls`.
 */
async function untilGoAhead(port: number, options: NodeTransportOptions): Promise<Transport> {
  const transport = await nodeConnector(options)({ host: "127.0.0.1", port, tls: "starttls" });
  await readUntil(transport, line);
  await transport.write(encode("STARTTLS\r\n"));
  await readUntil(transport, line);
  return transport;
}

/** A server that says go ahead to STARTTLS and then never starts the handshake. */
function startStallingStartTlsServer(): Promise<RawServer> {
  return startRawServer("127.0.0.1", (socket) => {
    socket.write("220 ready\r\n");
    socket.once("data", () => socket.write("220 go ahead\r\n"));
  });
}

/** Waits until the server has seen every client connection close: nothing of ours stays open. */
async function clientGone(peer: RawServer): Promise<void> {
  await vi.waitFor(() => expect(peer.sockets.size).toBe(0), { timeout: 5000, interval: 10 });
}

describe.each(["127.0.0.1", "::1"])("implicit TLS to %s", (host) => {
  it("connects through the handshake, verifying the certificate", async () => {
    server = await startTlsServer(host, ca, (socket) => {
      socket.write("220 secure hello\r\n");
      socket.on("data", (d) => socket.write(`250 ${d.toString()}`));
    });
    const transport = await nodeConnector({ tls: { ca: ca.caPem } })({
      host,
      port: server.port,
      tls: "implicit",
    });
    expect(transport.secure).toBe(true);
    expect(await readUntil(transport, line)).toBe("220 secure hello\r\n");
    await transport.write(encode("NOOP\r\n"));
    expect(await readUntil(transport, line)).toBe("250 NOOP\r\n");
    await transport.close();
  });
});

describe("implicit TLS failures", () => {
  it("an untrusted CA is a `tls` error, not retryable, with the certificate error as cause", async () => {
    server = await startTlsServer("127.0.0.1", ca, (socket) => socket.write("220 hi\r\n"));
    await settle();
    const before = activeHandles();
    const error = await nodeConnector({ tls: { ca: otherCa.caPem } })({
      host: "localhost",
      port: server.port,
      tls: "implicit",
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmtpError);
    expect(error).toMatchObject({ kind: "tls", retryable: false });
    expect((error as SmtpError).cause).toMatchObject({ code: "SELF_SIGNED_CERT_IN_CHAIN" });
    await clientGone(server);
    await settle();
    await expectNoLeftovers(before);
  });

  it("an expired certificate is a `tls` error (CERT_HAS_EXPIRED)", async () => {
    const expired = await ca.issue({
      dns: ["localhost"],
      notBefore: new Date(Date.now() - 3 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    server = await startTlsServer("127.0.0.1", expired, (socket) => socket.write("220 hi\r\n"));
    await expect(
      nodeConnector({ tls: { ca: ca.caPem } })({
        host: "localhost",
        port: server.port,
        tls: "implicit",
      }),
    ).rejects.toMatchObject({ kind: "tls", retryable: false, detail: "CERT_HAS_EXPIRED" });
  });

  it("a certificate for another name is a `tls` error (ERR_TLS_CERT_ALTNAME_INVALID)", async () => {
    const other = await ca.issue({ dns: ["mail.example.test"] });
    server = await startTlsServer("127.0.0.1", other, (socket) => socket.write("220 hi\r\n"));
    await expect(
      nodeConnector({ tls: { ca: ca.caPem } })({
        host: "127.0.0.1",
        port: server.port,
        tls: "implicit",
      }),
    ).rejects.toMatchObject({ kind: "tls", detail: "ERR_TLS_CERT_ALTNAME_INVALID" });
  });

  it("an unreadable client key is `invalid-input`, refused before connecting", async () => {
    server = await startTlsServer("127.0.0.1", ca, (socket) => socket.write("220 hi\r\n"));
    const error = await nodeConnector({
      tls: { ca: ca.caPem, cert: "not a certificate", key: "not a key" },
    })({ host: "localhost", port: server.port, tls: "implicit" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "invalid-input", retryable: false });
    expect((error as SmtpError).cause).toBeInstanceOf(Error);
    expect(server.sockets.size).toBe(0);
  });

  it("rejectUnauthorized: false accepts an untrusted certificate", async () => {
    server = await startTlsServer("127.0.0.1", ca, (socket) => socket.write("220 hi\r\n"));
    const transport = await nodeConnector({ tls: { rejectUnauthorized: false } })({
      host: "127.0.0.1",
      port: server.port,
      tls: "implicit",
    });
    expect(await readUntil(transport, line)).toBe("220 hi\r\n");
    await transport.close();
  });

  it("a plaintext server on the implicit-TLS port gives a hint about the port pairing", async () => {
    server = await startRawServer("127.0.0.1", (socket) => socket.write("220 plain hello\r\n"));
    const error = await nodeConnector({ tls: { ca: ca.caPem } })({
      host: "127.0.0.1",
      port: server.port,
      tls: "implicit",
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "tls", detail: "not-tls", retryable: false });
    expect((error as Error).message).toMatch(/STARTTLS port/);
  });

  it("TLS bytes on a plaintext connection are handed over as they came (the driver tells)", async () => {
    // A TLS alert record, as a TLS-only port sends to a client that spoke plaintext: the
    // transport only moves bytes; the client's driver recognises the record.
    const alert = new Uint8Array([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x32]);
    server = await startRawServer("127.0.0.1", (socket) => socket.write(alert));
    const transport = await nodeConnector()({ host: "127.0.0.1", port: server.port, tls: "none" });
    expect(await transport.read()).toEqual(alert);
    await transport.close();
  });

  it("a handshake that never completes ends when the caller's signal fires, leaving no handle", async () => {
    // Accepts TCP and reads the ClientHello, but never answers it. The transport has no
    // clock: the signal is the deadline, and its SmtpError reason is the rejection.
    server = await startRawServer("127.0.0.1", (socket) => socket.resume());
    await settle();
    const before = activeHandles();
    const controller = new AbortController();
    const connecting = nodeConnector({ tls: { ca: ca.caPem } })(
      { host: "127.0.0.1", port: server.port, tls: "implicit" },
      controller.signal,
    );
    while (server.sockets.size === 0) await settle();
    const deadline = new SmtpError({ kind: "timeout", phase: "connect", message: "too slow" });
    controller.abort(deadline);
    expect(await connecting.catch((e: unknown) => e)).toBe(deadline);
    await clientGone(server);
    await settle();
    await expectNoLeftovers(before);
  });

  it("an abort during the handshake rejects with `aborted`", async () => {
    server = await startRawServer("127.0.0.1", () => {});
    const controller = new AbortController();
    const connecting = nodeConnector({ tls: { ca: ca.caPem } })(
      { host: "127.0.0.1", port: server.port, tls: "implicit" },
      controller.signal,
    );
    while (server.sockets.size === 0) await settle();
    controller.abort(new Error("user cancelled"));
    await expect(connecting).rejects.toMatchObject({ kind: "aborted" });
  });

  it("presents a client certificate when the server asks for one", async () => {
    const client = await ca.issue({ commonName: "smtp client", usage: "client" });
    let peerName = "";
    server = await startTlsServer(
      "127.0.0.1",
      ca,
      (socket) => {
        const tlsSocket = socket as TLSSocket;
        peerName = String(tlsSocket.getPeerCertificate().subject?.CN);
        socket.write(`220 ${tlsSocket.authorized ? "authorized" : "anonymous"}\r\n`);
      },
      { requestCert: true, ca: ca.caPem },
    );
    const transport = await nodeConnector({
      tls: { ca: ca.caPem, cert: client.certPem, key: client.keyPem },
    })({ host: "localhost", port: server.port, tls: "implicit" });
    expect(await readUntil(transport, line)).toBe("220 authorized\r\n");
    expect(peerName).toBe("smtp client");
    await transport.close();
  });
});

describe.each(["127.0.0.1", "::1"])("STARTTLS on %s", (host) => {
  it("upgrades the same socket, sending SNI for a name and none for an address", async () => {
    const seen: (string | false)[] = [];
    server = await startStartTlsServer(host, ca, {
      onSecure: (s) => seen.push((s as TLSSocket & { servername: string | false }).servername),
    });
    await settle();
    const before = activeHandles();
    for (const servername of ["localhost", host]) {
      const transport = await nodeConnector({ tls: { ca: ca.caPem } })({
        host,
        port: server.port,
        tls: "starttls",
      });
      expect(await readUntil(transport, line)).toBe("220 localhost ready\r\n");
      await transport.write(encode("STARTTLS\r\n"));
      expect(await readUntil(transport, line)).toBe("220 go ahead\r\n");
      const local = transport.localAddress;
      await transport.startTls({ servername });
      expect(transport.secure).toBe(true);
      expect(transport.localAddress).toBe(local);
      await transport.write(encode("EHLO x\r\n"));
      expect(await readUntil(transport, line)).toBe("250 EHLO x\r\n");
      await transport.close();
    }
    expect(seen).toEqual(["localhost", false]);
    await clientGone(server);
    await settle();
    await expectNoLeftovers(before);
  });
});

describe("STARTTLS failures", () => {
  it("a wrong CA fails the upgrade with a `tls` error and destroys the connection", async () => {
    server = await startStartTlsServer("127.0.0.1", ca);
    await settle();
    const before = activeHandles();
    const transport = await untilGoAhead(server.port, { tls: { ca: otherCa.caPem } });
    const error = await transport.startTls({ servername: "localhost" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "tls", retryable: false });
    expect(transport.secure).toBe(false);
    await expect(transport.read()).rejects.toBe(error);
    await expect(transport.write(encode("QUIT\r\n"))).rejects.toBe(error);
    await transport.close();
    await clientGone(server);
    await settle();
    await expectNoLeftovers(before);
  });

  it("refuses to upgrade when bytes arrived after the 220 (STARTTLS injection)", async () => {
    let serverSide: Socket | undefined;
    server = await startStartTlsServer("127.0.0.1", ca, {
      afterGo: (socket) => {
        serverSide = socket;
      },
    });
    const transport = await connectNode(
      { host: "127.0.0.1", port: server.port, tls: "starttls" },
      { tls: { ca: ca.caPem } },
    );
    try {
      await readUntil(transport, line);
      await transport.write(encode("STARTTLS\r\n"));
      expect(await readUntil(transport, line)).toBe("220 go ahead\r\n");
      // The injected reply arrives after the 220 was read, before the handshake starts.
      serverSide?.write("250 injected\r\n");
      while (transport.bufferedBytes === 0) await settle();
      await expect(transport.startTls({ servername: "localhost" })).rejects.toMatchObject({
        kind: "protocol",
        detail: "starttls-injection",
      });
      expect(transport.secure).toBe(false);
    } finally {
      await transport.close();
    }
  });

  it("abort() during the STARTTLS handshake makes startTls reject with `aborted`", async () => {
    server = await startStallingStartTlsServer();
    await settle();
    const before = activeHandles();
    const transport = await untilGoAhead(server.port, { tls: { ca: ca.caPem } });
    const upgrading = transport.startTls({ servername: "localhost" });
    transport.abort(new Error("shutting down"));
    await expect(upgrading).rejects.toMatchObject({ kind: "aborted" });
    await transport.close();
    await clientGone(server);
    await settle();
    await expectNoLeftovers(before);
  });

  it("a STARTTLS handshake that never completes waits for the caller, who aborts it", async () => {
    server = await startStallingStartTlsServer();
    const transport = await untilGoAhead(server.port, { tls: { ca: ca.caPem } });
    const upgrading = transport.startTls({ servername: "localhost" });
    let settled = false;
    upgrading.then(
      () => {},
      () => {
        settled = true;
      },
    );
    for (let i = 0; i < 20; i++) await settle();
    expect(settled).toBe(false);
    const deadline = new SmtpError({ kind: "timeout", phase: "tls", message: "too slow" });
    transport.abort(deadline);
    expect(await upgrading.catch((e: unknown) => e)).toBe(deadline);
    await transport.close();
  });
});

// tlsInfo() is diagnostics (smtp probe): what TLS negotiated and the chain as presented,
// including whether it verified on a connection that did not require it.
describe("NodeTransport.tlsInfo()", () => {
  it("reports protocol, cipher, a verified chain (leaf first) with subject, issuer and SANs", async () => {
    const leaf = await ca.issue({ dns: ["localhost"], ips: ["127.0.0.1"] });
    server = await startTlsServer("127.0.0.1", leaf, (socket) => socket.write("220 hi\r\n"));
    const transport = await connectNode(
      { host: "localhost", port: server.port, tls: "implicit" },
      { tls: { ca: ca.caPem } },
    );
    const info = transport.tlsInfo();
    expect(info).toMatchObject({ authorized: true, authorizationError: undefined });
    expect(info?.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(info?.cipher).toMatch(/^TLS_/);
    expect(info?.certificates[0]?.subjectAltNames).toEqual([
      "DNS:localhost",
      "IP Address:127.0.0.1",
    ]);
    expect(info?.certificates[0]?.issuer).toBe(info?.certificates[1]?.subject);
    expect(Date.parse(info?.certificates[0]?.validTo ?? "")).toBeGreaterThan(Date.now());
    expect(info?.certificates[0]?.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    await transport.close();
    expect(transport.tlsInfo()).toBeUndefined();
  });

  it("says why a chain does not verify when verification was turned off", async () => {
    server = await startTlsServer("127.0.0.1", await ca.issue({ dns: ["localhost"] }), (s) =>
      s.write("220 hi\r\n"),
    );
    const transport = await connectNode(
      { host: "localhost", port: server.port, tls: "implicit" },
      { tls: { ca: otherCa.caPem, rejectUnauthorized: false } },
    );
    expect(transport.tlsInfo()).toMatchObject({
      authorized: false,
      authorizationError: "SELF_SIGNED_CERT_IN_CHAIN",
    });
    transport.abort();
  });

  it("is undefined on plaintext and filled in after STARTTLS", async () => {
    server = await startStartTlsServer("127.0.0.1", await ca.issue({ dns: ["localhost"] }));
    const transport = await connectNode(
      { host: "localhost", port: server.port, tls: "starttls" },
      { tls: { ca: ca.caPem } },
    );
    expect(transport.tlsInfo()).toBeUndefined();
    await readUntil(transport, line);
    await transport.write(encode("STARTTLS\r\n"));
    await readUntil(transport, line);
    await transport.startTls({ servername: "localhost" });
    expect(transport.tlsInfo()).toMatchObject({ authorized: true });
    transport.abort();
  });
});
