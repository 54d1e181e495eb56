import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient, SmtpError } from "@smtp/client";
import { type SmtpServerPeer, startSmtpServerPeer } from "@smtp-internal/test-peer";
import { afterEach, describe, expect, it } from "vitest";
import { countingConnector, expectSmtpError } from "./helpers.ts";

// The engine (pool, connections, driver, core's session) loads with the first send or
// verify: these are the client's promises around that load. The first test of this file
// meets the load in progress (each test file has its own module graph); the others hold
// whether it is done or not.

const USER = "user@example.test";
const message = (subject: string) => ({ from: USER, to: USER, subject, text: `${subject}\n` });

let peer: SmtpServerPeer | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

describe("the engine loads on the first send", () => {
  it("close() right after send(), while the engine loads: the message still goes, then the client closes", async () => {
    const p = await startSmtpServerPeer({ tls: "none" });
    peer = p;
    const client = createClient({ host: p.host, port: p.port, pool: true });
    const sent = client.send(message("during load"));
    const closed = client.close();
    const info = await sent;
    await closed;
    expect(info.accepted).toEqual([USER]);
    expect(p.received).toHaveLength(1);
    expect(p.openConnections()).toBe(0);
    // Closed is closed: a later send is refused at once.
    const error = await expectSmtpError(client.send(message("after close")));
    expect(error.message).toMatch(/closed/);
  });

  it("close() while a send still reads its attachment: the message goes, then its connection closes", async () => {
    const p = await startSmtpServerPeer({ tls: "none" });
    peer = p;
    const folder = await mkdtemp(join(tmpdir(), "smtp-lazy-"));
    try {
      const path = join(folder, "a.txt");
      await writeFile(path, "attached\n");
      // Without close() the idle connection would stay open for a minute.
      const client = createClient({ host: p.host, port: p.port, pool: { idleTimeout: 60_000 } });
      const sent = client.send({ ...message("file"), attachments: [{ path }] });
      await client.close(); // resolves before the send is queued: nothing was queued yet
      expect((await sent).accepted).toEqual([USER]);
      const started = Date.now();
      while (p.openConnections() > 0 && Date.now() - started < 10_000) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(p.openConnections()).toBe(0);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it("a send aborted before it is queued opens no connection", async () => {
    const p = await startSmtpServerPeer({ tls: "none" });
    peer = p;
    const { connector, transports } = countingConnector();
    const client = createClient({ host: p.host, port: p.port, transport: connector });
    const controller = new AbortController();
    const sending = client.send(message("aborted"), { signal: controller.signal });
    controller.abort(new Error("changed my mind"));
    const error = await expectSmtpError(sending);
    expect(error.kind).toBe("aborted");
    await client.close();
    expect(transports).toHaveLength(0);
    expect(p.received).toHaveLength(0);
  });

  it("verify() with a signal aborted at once rejects aborted and connects nowhere", async () => {
    const { connector, transports } = countingConnector();
    const client = createClient({ host: "localhost", port: 1, transport: connector });
    const error = await expectSmtpError(client.verify({ signal: AbortSignal.abort() }));
    expect(error).toBeInstanceOf(SmtpError);
    expect(error.kind).toBe("aborted");
    expect(transports).toHaveLength(0);
  });

  it("close() of a client that never sent resolves, and nothing was sent", async () => {
    const client = createClient({ host: "smtp.example.com" });
    await expect(client.close()).resolves.toBeUndefined();
    const error = await expectSmtpError(client.send(message("late")));
    expect(error.kind).toBe("connection");
  });
});
