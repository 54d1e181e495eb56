// The Node transport under Bun: raw SMTP conversations with smtp-server run in this process,
// STARTTLS included (other clients have hung on Bun right after the TLS handshake).

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createServer, type Server, type Socket } from "node:net";
import type { Transport } from "@smtp/core/transport-kit";

import { nodeConnector } from "@smtp/transport-node";
import {
  createTestCa,
  type SmtpServerPeer,
  startSmtpServerPeer,
  type TestCa,
} from "@smtp-internal/test-peer";
import { bytes, ReplyReader } from "./helpers.ts";

let ca: TestCa;
let starttls: SmtpServerPeer;
let implicit: SmtpServerPeer;

beforeAll(async () => {
  ca = await createTestCa();
  starttls = await startSmtpServerPeer({ tls: "starttls", ca });
  implicit = await startSmtpServerPeer({ tls: "implicit", ca });
});

afterAll(async () => {
  await Promise.all([starttls?.close(), implicit?.close()]);
});

async function command(t: Transport, r: ReplyReader, line: string, code: number): Promise<string> {
  await t.write(bytes(`${line}\r\n`));
  const reply = await r.next();
  expect(`${reply.code} ${reply.text}`).toStartWith(String(code));
  return reply.text;
}

async function deliver(t: Transport, r: ReplyReader, subject: string): Promise<void> {
  await command(t, r, "MAIL FROM:<user@example.test>", 250);
  await command(t, r, "RCPT TO:<rcpt@example.test>", 250);
  await command(t, r, "RCPT TO:<no-such-user@example.test>", 550);
  await command(t, r, "DATA", 354);
  await t.write(bytes(`Subject: ${subject}\r\n\r\nFrom the Bun suite.\r\n.\r\n`));
  expect((await r.next()).code).toBe(250);
  await command(t, r, "QUIT", 221);
  expect(await t.read()).toBeNull();
  expect(r.surplus).toBe("");
}

describe("@smtp/transport-node on Bun", () => {
  test("STARTTLS, then EHLO, AUTH PLAIN and a message inside TLS", async () => {
    const t = await nodeConnector({ tls: { ca: ca.caPem } })({
      host: starttls.host,
      port: starttls.port,
      tls: "starttls",
    });
    try {
      const r = new ReplyReader(t);
      expect((await r.next()).code).toBe(220);
      expect(await command(t, r, "EHLO client.test", 250)).toContain("STARTTLS");
      await command(t, r, "STARTTLS", 220);
      await t.startTls({ servername: "localhost" });
      expect(t.secure).toBe(true);
      // The Bun-only hang reported elsewhere happened here: the first read after the handshake.
      expect(await command(t, r, "EHLO client.test", 250)).toContain("AUTH");
      await command(t, r, `AUTH PLAIN ${btoa("\0user@example.test\0password")}`, 235);
      await deliver(t, r, "bun: node transport over STARTTLS");
    } finally {
      await t.close();
    }
    const got = starttls.received.find((m) => m.to.includes("rcpt@example.test"));
    expect(got?.secure).toBe(true);
    expect(got?.user).toBe("user@example.test");
  });

  test("implicit TLS from the first byte", async () => {
    const t = await nodeConnector({ tls: { ca: ca.caPem } })({
      host: "localhost",
      port: implicit.port,
      tls: "implicit",
    });
    try {
      expect(t.secure).toBe(true);
      const r = new ReplyReader(t);
      expect((await r.next()).code).toBe(220);
      await command(t, r, "EHLO client.test", 250);
      await deliver(t, r, "bun: node transport over implicit TLS");
    } finally {
      await t.close();
    }
  });

  test("STARTTLS against an untrusted certificate fails with kind tls", async () => {
    const t = await nodeConnector()({ host: starttls.host, port: starttls.port, tls: "starttls" });
    try {
      const r = new ReplyReader(t);
      expect((await r.next()).code).toBe(220);
      await command(t, r, "EHLO client.test", 250);
      await command(t, r, "STARTTLS", 220);
      const error = await t.startTls({ servername: "localhost" }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((error as { kind?: string }).kind).toBe("tls");
      expect(t.secure).toBe(false);
    } finally {
      await t.close();
    }
  });

  test("back-pressure both ways: a 4 MiB write to a slow reader, 4 MiB read while paused", async () => {
    const size = 4 * 1024 * 1024;
    const pattern = (i: number) => (i * 31 + 7) % 256;
    const payload = new Uint8Array(size).map((_, i) => pattern(i));
    let serverSocket: Socket | undefined;
    const received: Uint8Array[] = [];
    const server: Server = createServer((socket) => {
      serverSocket = socket;
      // A slow reader: take a chunk, pause, resume a little later.
      socket.on("data", (chunk: Uint8Array) => {
        received.push(new Uint8Array(chunk));
        socket.pause();
        setTimeout(() => socket.resume(), 1);
      });
      socket.on("error", () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    const t = await nodeConnector()({ host: "127.0.0.1", port, tls: "none" });
    try {
      await t.write(payload);
      while (received.reduce((n, c) => n + c.length, 0) < size) await Bun.sleep(5);
      const got = new Uint8Array(size);
      let offset = 0;
      for (const chunk of received) {
        got.set(chunk, offset);
        offset += chunk.length;
      }
      expect(got.every((b, i) => b === pattern(i))).toBe(true);
      // Now the other way: the server writes 4 MiB while nobody reads for a while.
      serverSocket?.end(payload);
      await Bun.sleep(50);
      let total = 0;
      let ok = true;
      for (let chunk = await t.read(); chunk !== null; chunk = await t.read()) {
        for (let i = 0; i < chunk.length; i++) if (chunk[i] !== pattern(total + i)) ok = false;
        total += chunk.length;
      }
      expect(total).toBe(size);
      expect(ok).toBe(true);
    } finally {
      await t.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }, 20_000);
});
