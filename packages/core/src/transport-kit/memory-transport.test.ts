import { describe, expect, it } from "vitest";
import { memoryError } from "./memory-pipe.ts";
import { MEMORY_ERRORS, memoryTransportPair } from "./memory-transport.ts";
import { pending } from "./pending.test-util.ts";
import { toTransportError } from "./runtime-error.ts";

const text = (value: string): Uint8Array => new TextEncoder().encode(value);
const read = async (t: { read(): Promise<Uint8Array | null> }): Promise<string | null> => {
  const chunk = await t.read();
  return chunk === null ? null : new TextDecoder().decode(chunk);
};

describe("memoryTransportPair", () => {
  it("moves bytes both ways, copying them: the writer may reuse its buffer at once", async () => {
    const { client, server } = memoryTransportPair();
    const buffer = text("EHLO x\r\n");
    await client.write(buffer);
    buffer.fill(0);
    expect(await read(server)).toBe("EHLO x\r\n");
    const reply = server.read();
    await client.write(new Uint8Array(0));
    await server.write(text("250 ok\r\n"));
    expect(await read(client)).toBe("250 ok\r\n");
    expect(await pending(reply)).toBe(true);
    await client.write(text("QUIT\r\n"));
    expect(await read({ read: () => reply })).toBe("QUIT\r\n");
  });

  it("a write waits once more than highWaterMark bytes are unread, until the reader catches up", async () => {
    const { client, server } = memoryTransportPair({ highWaterMark: 4 });
    await client.write(text("1234"));
    const blocked = client.write(text("5"));
    expect(await pending(blocked)).toBe(true);
    expect(server.bufferedBytes).toBe(5);
    expect(await read(server)).toBe("1234");
    await blocked;
  });

  it("end() half-closes: the peer reads null, this end still reads", async () => {
    const { client, server } = memoryTransportPair();
    await server.write(text("221 bye\r\n"));
    server.end();
    expect(await read(client)).toBe("221 bye\r\n");
    expect(await client.read()).toBeNull();
    await client.write(text("late"));
    expect(await read(server)).toBe("late");
    await expect(server.write(text("x"))).rejects.toMatchObject({ detail: "EPIPE" });
  });

  it("close() ends this side: the peer reads null and its writes fail", async () => {
    const { client, server } = memoryTransportPair();
    await client.close();
    expect(await server.read()).toBeNull();
    await expect(server.write(text("x"))).rejects.toMatchObject({
      kind: "connection",
      detail: "EPIPE",
    });
  });

  it("abort() resets: the peer's pending read fails with ECONNRESET", async () => {
    const { client, server } = memoryTransportPair({ peer: { host: "mx.test", port: 25 } });
    const reading = client.read();
    server.abort();
    const error = await reading.catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "connection", detail: "ECONNRESET", retryable: true });
    expect(String((error as Error).message)).toContain("mx.test:25");
    const blocked = memoryTransportPair({ highWaterMark: 1 });
    const writing = blocked.client.write(text("12"));
    blocked.server.abort();
    await expect(writing).rejects.toMatchObject({ detail: "EPIPE" });
  });

  it("STARTTLS completes once both ends ask; secure from the start with implicit TLS", async () => {
    const { client, server } = memoryTransportPair();
    await Promise.all([
      server.startTls({ servername: "" }),
      client.startTls({ servername: "localhost" }),
    ]);
    expect(client.secure && server.secure).toBe(true);
    expect(memoryTransportPair({ secure: true }).client.secure).toBe(true);
  });

  it("STARTTLS verifies the simulated certificate: its names, and whether it is trusted", async () => {
    const wrong = memoryTransportPair({ certificateNames: ["mx.test"] });
    const serverSide = wrong.server.startTls({ servername: "" });
    await expect(wrong.client.startTls({ servername: "localhost" })).rejects.toMatchObject({
      kind: "tls",
      detail: "ERR_TLS_CERT_ALTNAME_INVALID",
    });
    await expect(serverSide).rejects.toMatchObject({ kind: "tls" });
    const untrusted = memoryTransportPair({ trusted: false });
    untrusted.server.startTls({ servername: "" }).catch(() => {});
    await expect(untrusted.client.startTls({ servername: "localhost" })).rejects.toMatchObject({
      kind: "tls",
      detail: "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    });
  });

  it("refuses to upgrade over unread plaintext (injection); a peer leaving fails the handshake", async () => {
    const { client, server } = memoryTransportPair();
    await server.write(text("220 go\r\nINJECTED"));
    await expect(client.startTls({ servername: "localhost" })).rejects.toMatchObject({
      kind: "protocol",
      detail: "starttls-injection",
    });
    const lonely = memoryTransportPair();
    const waiting = lonely.client.startTls({ servername: "localhost" });
    lonely.server.abort();
    await expect(waiting).rejects.toMatchObject({ kind: "connection", detail: "ECONNRESET" });
  });

  it("errors name each end's peer and say what the simulated runtime reported", async () => {
    const { client, server } = memoryTransportPair();
    await client.close();
    await expect(server.write(text("x"))).rejects.toMatchObject({
      message: "writing to memory-client:0 failed: EPIPE: the peer closed the connection",
    });
    const reset = memoryTransportPair();
    const reading = reset.client.read();
    reset.server.abort();
    await expect(reading).rejects.toMatchObject({
      message: "reading from memory:0 failed: ECONNRESET: the peer reset the connection",
    });
    const writer = memoryTransportPair();
    writer.client.abort();
    await expect(writer.server.write(text("x"))).rejects.toMatchObject({
      kind: "connection",
      detail: "EPIPE",
      message: "writing to memory-client:0 failed: EPIPE: the peer reset the connection",
    });
  });

  it("a failed simulated handshake reports the certificate error and the server's alert", async () => {
    const untrusted = memoryTransportPair({ trusted: false });
    const untrustedServer = untrusted.server.startTls({ servername: "" });
    await expect(untrusted.client.startTls({ servername: "localhost" })).rejects.toMatchObject({
      kind: "tls",
      detail: "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
      message: "TLS with memory:0 failed: UNABLE_TO_VERIFY_LEAF_SIGNATURE: untrusted certificate",
    });
    await expect(untrustedServer).rejects.toMatchObject({
      kind: "tls",
      detail: "ERR_SSL_TLSV1_ALERT_UNKNOWN_CA",
      message: "TLS with memory-client:0 failed: ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: alert: unknown CA",
    });
    const wrong = memoryTransportPair({ certificateNames: ["mx.test"] });
    const wrongServer = wrong.server.startTls({ servername: "" });
    await expect(wrong.client.startTls({ servername: "localhost" })).rejects.toMatchObject({
      message:
        "TLS with memory:0 failed: ERR_TLS_CERT_ALTNAME_INVALID: certificate not valid for localhost",
    });
    await expect(wrongServer).rejects.toMatchObject({
      kind: "tls",
      detail: "ERR_SSL_TLSV1_ALERT_BAD_CERTIFICATE",
      message:
        "TLS with memory-client:0 failed: ERR_SSL_TLSV1_ALERT_BAD_CERTIFICATE: alert: bad certificate",
    });
    const lonely = memoryTransportPair();
    const waiting = lonely.client.startTls({ servername: "localhost" });
    await lonely.server.close();
    await expect(waiting).rejects.toMatchObject({
      message:
        "the STARTTLS handshake with memory:0 failed: ECONNRESET: " +
        "the peer closed the connection during the handshake",
    });
  });
});

describe("MEMORY_ERRORS", () => {
  const peer = { host: "mx.test", port: 25 };
  const map = (code: string, stage: "read" | "starttls") =>
    toTransportError(memoryError(code, "said"), MEMORY_ERRORS, peer, stage);

  it("socket codes are network failures, retryable even during a handshake", () => {
    for (const code of ["ECONNREFUSED", "ECONNRESET", "EPIPE"]) {
      expect(map(code, "starttls")).toMatchObject({
        kind: "connection",
        retryable: true,
        detail: code,
        message: `the STARTTLS handshake with mx.test:25 failed: ${code}: said`,
      });
    }
  });

  it("certificate codes are certificate failures, also outside a handshake", () => {
    for (const code of ["ERR_TLS_CERT_ALTNAME_INVALID", "UNABLE_TO_VERIFY_LEAF_SIGNATURE"]) {
      expect(map(code, "read")).toMatchObject({
        kind: "tls",
        retryable: false,
        detail: code,
        message: `TLS with mx.test:25 failed: ${code}: said`,
      });
    }
  });

  it("codes starting with ERR_SSL_ are TLS failures; ERR_SSL_ elsewhere in a code is not", () => {
    expect(map("ERR_SSL_WRONG_VERSION", "read")).toMatchObject({
      kind: "tls",
      retryable: false,
      detail: "ERR_SSL_WRONG_VERSION",
      message: "TLS with mx.test:25 failed: ERR_SSL_WRONG_VERSION: said",
    });
    expect(map("X_ERR_SSL_WRONG_VERSION", "read")).toMatchObject({
      kind: "connection",
      retryable: true,
      message: "reading from mx.test:25 failed: X_ERR_SSL_WRONG_VERSION: said",
    });
  });
});
