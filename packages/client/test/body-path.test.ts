import { createHash, randomBytes } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import { type ClientOptions, createClient } from "@smtp/client";
import { BODY_COPY_LIMIT, Session } from "@smtp/core";
import type { Connector, Transport } from "@smtp/core/transport-kit";
import { nodeConnector } from "@smtp/transport-node";
import { type SmtpServerPeer, startSmtpServerPeer } from "@smtp-internal/test-peer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Driver } from "../src/drive.ts";
import { parse } from "./helpers.ts";

const enc = new TextEncoder();
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** A raw message with a base64 attachment of `data`, CRLF line ends throughout. */
function rawMessage(data: Uint8Array): Uint8Array {
  const lines =
    Buffer.from(data)
      .toString("base64")
      .match(/.{1,76}/g) ?? [];
  const text = [
    "From: a@example.test",
    "To: b@example.test",
    "Subject: overwritten buffers",
    "MIME-Version: 1.0",
    'Content-Type: multipart/mixed; boundary="b"',
    "",
    "--b",
    "Content-Type: text/plain",
    "",
    ".a line starting with a dot",
    "--b",
    'Content-Type: application/octet-stream; name="data.bin"',
    "Content-Transfer-Encoding: base64",
    'Content-Disposition: attachment; filename="data.bin"',
    "",
    ...lines,
    "--b--",
    "",
  ].join("\r\n");
  return enc.encode(text);
}

/**
 * Yields `raw` in chunks of the given sizes (in turn) from ONE buffer, and scribbles over
 * that buffer as soon as the consumer pulls again, as `reuseBuffers` does: any byte still
 * waiting to be written from it is corrupted.
 */
async function* overwritingChunks(raw: Uint8Array, sizes: number[]): AsyncGenerator<Uint8Array> {
  const buffer = new Uint8Array(Math.max(...sizes));
  let at = 0;
  for (let k = 0; at < raw.length; k++) {
    const n = Math.min(sizes[k % sizes.length]!, raw.length - at);
    buffer.set(raw.subarray(at, at + n));
    yield buffer.subarray(0, n);
    buffer.fill(0x21);
    at += n;
  }
}

// Large chunks (not copied by the engine), small ones (copied), odd sizes that split CRLF.
const SIZES = [BODY_COPY_LIMIT + 4_001, 100, BODY_COPY_LIMIT, 3, 90_001, 20_000];

/** Sends one message over a real Session, Driver and Node transport; resolves when QUIT is done. */
async function driveOne(port: number, body: () => AsyncIterable<Uint8Array>): Promise<void> {
  const session = new Session({
    ehloName: "client.example",
    servername: "localhost",
    starttls: "never",
  });
  const transport = await nodeConnector()({ host: "127.0.0.1", port, tls: "none" });
  const results: boolean[] = [];
  const driver: Driver = new Driver(
    session,
    transport,
    {
      ready: () => {},
      body,
      result: (_id, result) => {
        results.push(result.ok);
        session.quit(performance.now());
        driver.wake();
      },
    },
    { now: () => performance.now() },
  );
  session.connected(performance.now());
  session.send({ from: "a@example.test", to: ["b@example.test"] }, performance.now());
  const close = await driver.run();
  expect(close.reason).toBe("quit");
  expect(results).toEqual([true]);
}

async function expectAttachment(raw: Uint8Array, data: Uint8Array): Promise<void> {
  const parsed = await parse(raw);
  expect(parsed.text?.trim()).toBe(".a line starting with a dot");
  expect(parsed.attachments).toHaveLength(1);
  expect(sha256(parsed.attachments[0]!.content)).toBe(sha256(data));
}

/**
 * A loopback server offering PIPELINING and CHUNKING that reads BDAT chunks by their size
 * and keeps each message's bytes. DATA is refused, so only BDAT can deliver.
 */
async function startChunkingServer(): Promise<{
  port: number;
  messages: Uint8Array[];
  close(): Promise<void>;
}> {
  const messages: Uint8Array[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
    socket.write("220 chunking.example ESMTP\r\n");
    let buffer = Buffer.alloc(0);
    let need = 0;
    let last = false;
    let message: Buffer[] = [];
    socket.on("data", (data: Buffer) => {
      buffer = Buffer.concat([buffer, data]);
      for (;;) {
        if (need > 0) {
          if (buffer.length === 0) return;
          const take = Math.min(need, buffer.length);
          message.push(buffer.subarray(0, take));
          buffer = buffer.subarray(take);
          need -= take;
          if (need > 0) return;
          socket.write("250 2.0.0 chunk\r\n");
          if (last) {
            messages.push(new Uint8Array(Buffer.concat(message)));
            message = [];
          }
          continue;
        }
        const eol = buffer.indexOf("\r\n");
        if (eol < 0) return;
        const line = buffer.subarray(0, eol).toString("latin1");
        buffer = buffer.subarray(eol + 2);
        const bdat = /^BDAT (\d+)( LAST)?$/i.exec(line);
        if (bdat) {
          need = Number(bdat[1]);
          last = bdat[2] !== undefined;
          if (need === 0) {
            socket.write("250 2.0.0 chunk\r\n");
            if (last) messages.push(new Uint8Array(Buffer.concat(message)));
            if (last) message = [];
          }
        } else if (/^EHLO /i.test(line)) {
          socket.write("250-chunking.example\r\n250-PIPELINING\r\n250 CHUNKING\r\n");
        } else if (/^(MAIL|RCPT) /i.test(line)) socket.write("250 2.1.0 ok\r\n");
        else if (/^QUIT$/i.test(line)) socket.end("221 2.0.0 bye\r\n");
        else socket.write("502 5.5.1 not here\r\n");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    port,
    messages,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe("body chunks that the caller overwrites on the next pull (aliasing rule)", () => {
  let peer: SmtpServerPeer;
  beforeAll(async () => {
    peer = await startSmtpServerPeer({ tls: "none", size: 16 * 1024 * 1024 });
  });
  afterAll(async () => {
    await peer.close();
  });

  it("DATA (smtp-server): the server gets the exact bytes, attachment SHA-256 matches", async () => {
    const data = new Uint8Array(randomBytes(1_500_000));
    const raw = rawMessage(data);
    const before = peer.received.length;
    await driveOne(peer.port, () => overwritingChunks(raw, SIZES));
    const got = peer.received[before]!;
    expect(Buffer.from(got.raw).equals(Buffer.from(raw))).toBe(true);
    await expectAttachment(got.raw, data);
  });

  it("BDAT (CHUNKING server): the server gets the exact bytes, attachment SHA-256 matches", async () => {
    const server = await startChunkingServer();
    try {
      const data = new Uint8Array(randomBytes(1_000_000));
      const raw = rawMessage(data);
      await driveOne(server.port, () => overwritingChunks(raw, SIZES));
      expect(server.messages).toHaveLength(1);
      expect(Buffer.from(server.messages[0]!).equals(Buffer.from(raw))).toBe(true);
      await expectAttachment(server.messages[0]!, data);
    } finally {
      await server.close();
    }
  });

  it("createClient (reuseBuffers in @smtp/mime): a 3 MiB attachment arrives intact", async () => {
    const data = new Uint8Array(randomBytes(3 * 1024 * 1024));
    const client = createClient({ host: "127.0.0.1", port: peer.port, starttls: "never" });
    try {
      const before = peer.received.length;
      await client.send({
        from: "a@example.test",
        to: "b@example.test",
        subject: "big",
        text: "see attachment",
        attachments: [{ filename: "data.bin", content: data }],
      });
      const parsed = await parse(peer.received[before]!.raw);
      expect(sha256(parsed.attachments[0]!.content)).toBe(sha256(data));
    } finally {
      await client.close();
    }
  });
});

/** Wraps the Node connector and records the text of every write of every transport it opens. */
function recordingConnector(): { connector: Connector; writes: string[][] } {
  const inner = nodeConnector();
  const writes: string[][] = [];
  const connector: Connector = async (target, signal) => {
    const t = await inner(target, signal);
    const mine: string[] = [];
    writes.push(mine);
    const wrapped: Transport = {
      read: () => t.read(),
      write: (bytes) => {
        mine.push(Buffer.from(bytes).toString("latin1"));
        return t.write(bytes);
      },
      startTls: (o) => t.startTls(o),
      close: () => t.close(),
      abort: (reason) => t.abort(reason),
      get secure() {
        return t.secure;
      },
      get localAddress() {
        return t.localAddress;
      },
      get remoteAddress() {
        return t.remoteAddress;
      },
    };
    return wrapped;
  };
  return { connector, writes };
}

describe("socket writes per message", () => {
  let peer: SmtpServerPeer;
  beforeAll(async () => {
    peer = await startSmtpServerPeer({ tls: "none" });
  });
  afterAll(async () => {
    await peer.close();
  });

  it("small messages on a pipelined pooled connection: one write per message in steady state", async () => {
    const { connector, writes } = recordingConnector();
    const options: ClientOptions = {
      host: "127.0.0.1",
      port: peer.port,
      starttls: "never",
      pool: { maxConnections: 1 },
      transport: connector,
    };
    const client = createClient(options);
    const n = 40;
    try {
      await Promise.all(
        Array.from({ length: n }, (_, i) =>
          client.send({
            from: "a@example.test",
            to: "b@example.test",
            subject: `message ${i}`,
            text: `Hello ${i}\n.\n..two dots\n`,
          }),
        ),
      );
    } finally {
      await client.close();
    }
    expect(writes).toHaveLength(1);
    const all = writes[0]!;
    // Each message's body, its end of data and the next envelope leave in one write.
    const bodies = all.filter((w) => w.includes("Subject: message "));
    expect(bodies).toHaveLength(n);
    for (const w of bodies) expect(w.match(/\r\n\.\r\n/g)).toHaveLength(1);
    const steady = all.slice(all.indexOf(bodies[0]!), all.indexOf(bodies[n - 1]!) + 1);
    expect(steady).toEqual(bodies); // no other write between them
    expect(all.length).toBeLessThanOrEqual(n + 4); // EHLO, the first envelope, QUIT and slack of one
  });
});
