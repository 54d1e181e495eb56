// @smtp/client on Bun with its default transport (the Node one), against smtp-server run in
// this process: STARTTLS with AUTH, implicit TLS, refused recipients, a greeting time-out,
// and a clean close that leaves no connection open on either side.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NodeTransport, nodeConnector } from "@smtp/transport-node";
import {
  createTestCa,
  type SmtpServerPeer,
  startSmtpServerPeer,
  type TestCa,
} from "@smtp-internal/test-peer";
import { createClient, SmtpError } from "../../src/index.ts";
import { defaultConnector } from "../../src/runtime.ts";
import { counting, eventually, startSilentServer } from "./helpers.ts";

const auth = { user: "user@example.test", pass: "password" };
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

/** A client of the STARTTLS peer that requires STARTTLS, trusts the test CA and logs in. */
function starttlsClient() {
  return createClient({
    host: starttls.host,
    port: starttls.port,
    starttls: "required",
    tls: { ca: ca.caPem },
    auth,
  });
}

async function rejection(promise: Promise<unknown>): Promise<SmtpError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SmtpError);
  return error as SmtpError;
}

describe("@smtp/client on Bun", () => {
  test("the default transport on Bun is the Node one", async () => {
    expect((globalThis as { Deno?: unknown }).Deno).toBeUndefined();
    const connect = await defaultConnector(undefined);
    const t = await connect({ host: starttls.host, port: starttls.port, tls: "starttls" });
    try {
      expect(t).toBeInstanceOf(NodeTransport);
    } finally {
      await t.close();
    }
  });

  test("STARTTLS with AUTH delivers; the refused recipient is reported", async () => {
    const client = createClient({
      host: starttls.host,
      port: starttls.port,
      starttls: "required",
      tls: { ca: ca.caPem, servername: "localhost" },
      auth,
    });
    try {
      const info = await client.send({
        from: auth.user,
        to: ["rcpt@example.test", "no-such-user@example.test"],
        subject: "bun client: STARTTLS",
        text: "Sent by @smtp/client on Bun.\n",
      });
      expect(info.accepted).toEqual(["rcpt@example.test"]);
      expect(info.rejected.map((r) => [r.address, r.code])).toEqual([
        ["no-such-user@example.test", 550],
      ]);
      const got = starttls.received.find(
        (m) =>
          m.raw.length > 0 &&
          info.messageId &&
          new TextDecoder().decode(m.raw).includes(info.messageId),
      );
      expect(got?.secure).toBe(true);
      expect(got?.user).toBe(auth.user);
      expect(new TextDecoder().decode(got?.raw)).toContain("Sent by @smtp/client on Bun.");
    } finally {
      await client.close();
    }
  });

  test("implicit TLS with AUTH delivers", async () => {
    const client = createClient({
      host: implicit.host,
      port: implicit.port,
      secure: true,
      tls: { ca: ca.caPem },
      auth,
    });
    try {
      const info = await client.send({
        from: auth.user,
        to: "rcpt@example.test",
        subject: "bun client: implicit TLS",
        text: "Over implicit TLS.\n",
      });
      expect(info.accepted).toEqual(["rcpt@example.test"]);
      const got = implicit.received.find((m) =>
        new TextDecoder().decode(m.raw).includes(info.messageId),
      );
      expect(got?.secure).toBe(true);
    } finally {
      await client.close();
    }
  });

  test("attachments[].path: the file is read with node:fs on Bun and arrives intact", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bun-path-"));
    const path = join(dir, "data.bin");
    const data = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 13) & 0xff);
    writeFileSync(path, data);
    const client = starttlsClient();
    try {
      const info = await client.send({
        from: auth.user,
        to: "rcpt@example.test",
        subject: "bun client: a file from a path",
        text: "attached\n",
        attachments: [{ path }],
      });
      const got = starttls.received.find((m) =>
        new TextDecoder().decode(m.raw).includes(info.messageId),
      );
      const text = new TextDecoder().decode(got?.raw);
      const base64 = text.split('filename="data.bin"\r\n\r\n')[1]?.split("\r\n--")[0] ?? "";
      expect(Buffer.from(base64, "base64").equals(Buffer.from(data))).toBe(true);
      expect(Number(got?.mailParams.SIZE)).toBe(got?.raw.length);
      const missing = await rejection(
        client.send({
          from: auth.user,
          to: "rcpt@example.test",
          attachments: [{ path: join(dir, "nope") }],
        }),
      );
      expect(missing.kind).toBe("invalid-input");
      expect(missing.message).toMatch(
        /^attachments\[0\]\.path: cannot read the file .*\(ENOENT\)$/,
      );
    } finally {
      await client.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("every recipient refused: a rejected error listing each refusal", async () => {
    const client = starttlsClient();
    try {
      const error = await rejection(
        client.send({ from: auth.user, to: "a@reject.test", subject: "x", text: "x\n" }),
      );
      expect(error.kind).toBe("rejected");
      expect(error.rejected?.map((r) => [r.address, r.code])).toEqual([["a@reject.test", 550]]);
    } finally {
      await client.close();
    }
  });

  test("a server that never greets: timeout in phase greeting, its socket closed", async () => {
    const silent = await startSilentServer();
    const { connector, transports } = counting(nodeConnector());
    const client = createClient({
      host: "127.0.0.1",
      port: silent.port,
      starttls: "required",
      timeouts: { greeting: 200 },
      transport: connector,
    });
    try {
      const error = await rejection(client.verify());
      expect(error.kind).toBe("timeout");
      expect(error.phase).toBe("greeting");
      await client.close();
      expect(transports.length).toBe(1);
      expect((transports[0]?.closes ?? 0) + (transports[0]?.aborts ?? 0)).toBeGreaterThan(0);
      // The server sees our side go away: nothing of the connection is left open.
      expect(await eventually(() => silent.open() === 0)).toBe(true);
    } finally {
      await silent.close();
    }
  });

  test("close() after sends leaves no connection open at the server", async () => {
    const { connector, transports } = counting(nodeConnector({ tls: { ca: ca.caPem } }));
    const client = createClient({
      host: starttls.host,
      port: starttls.port,
      starttls: "required",
      tls: { ca: ca.caPem },
      auth,
      pool: true,
      transport: connector,
    });
    const before = starttls.connectionCount();
    await Promise.all(
      [1, 2, 3].map((n) =>
        client.send({
          from: auth.user,
          to: "rcpt@example.test",
          subject: `pooled ${n}`,
          text: "x\n",
        }),
      ),
    );
    await client.close();
    expect(starttls.connectionCount()).toBeGreaterThan(before);
    expect(transports.length).toBeGreaterThan(0);
    for (const t of transports) expect(t.closes + t.aborts).toBeGreaterThan(0);
    expect(await eventually(() => starttls.openConnections() === 0)).toBe(true);
  });

  test("a Bun process that sends and closes exits by itself: no handle left", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bun-send-"));
    const caFile = join(dir, "ca.pem");
    writeFileSync(caFile, ca.caPem);
    const example = join(import.meta.dir, "../../../../examples/bun-send");
    const proc = Bun.spawn([process.execPath, "--conditions=source", "src/main.ts"], {
      cwd: example,
      env: {
        ...process.env,
        MAIL_HOST: starttls.host,
        MAIL_PORT: String(starttls.port),
        MAIL_USER: auth.user,
        MAIL_PASS: auth.pass,
        MAIL_CA_FILE: caFile,
        MAIL_TO: "rcpt@example.test",
      },
      stdout: "pipe",
      stderr: "pipe",
    });
    // A leaked socket or timer would keep the process alive: give up (and fail) after 15 s.
    const killer = setTimeout(() => proc.kill(), 15_000);
    try {
      const code = await proc.exited;
      const out = await new Response(proc.stdout).text();
      const err = await new Response(proc.stderr).text();
      expect({ code, signal: proc.signalCode, err }).toEqual({ code: 0, signal: null, err: "" });
      expect(out).toContain("sent <");
    } finally {
      clearTimeout(killer);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 20_000);
});
