import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type ClientDkimSignature,
  type ClientOptions,
  createClient,
  type SmtpClient,
} from "@smtp/client";
import { describeVerdicts, testKey, verifyDkim } from "@smtp-internal/dkim-verify";
import { type SmtpServerPeer, startSmtpServerPeer } from "@smtp-internal/test-peer";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { countingConnector, expectSmtpError } from "./helpers.ts";

// @smtp/client with the `dkim` option, against smtp-server: every message the server
// receives is checked by mailauth and dkimpy with the test keys (never DNS).
const rsa = testKey("rsa");
const ed = testKey("ed25519");
const keys = {
  "rsa._domainkey.example.test": rsa.record,
  "ed._domainkey.example.test": ed.record,
  "other._domainkey.example.test": rsa.record,
};
const rsaSignature: ClientDkimSignature = {
  domainName: "example.test",
  keySelector: "rsa",
  privateKey: rsa.pkcs8,
};
const edSignature: ClientDkimSignature = {
  domainName: "example.test",
  keySelector: "ed",
  privateKey: ed.pkcs8,
};

const message = {
  from: "Zoë Sender <sender@example.test>",
  to: "rcpt@example.test",
  subject: "Signed — Grüße ✉️",
  text: "Hello, wörld.\n.\nA lone dot above, trailing spaces here:   \n\n\n",
  html: "<p>Hello <img src='cid:dot@test'></p>",
  attachments: [
    { filename: "a.bin", content: new Uint8Array(200_000).map((_, i) => i * 7) },
    { cid: "dot@test", filename: "dot.png", content: new Uint8Array([0x89, 0x50, 0x4e, 0x47]) },
  ],
};

let peer: SmtpServerPeer;
let spool: string;
const clients: SmtpClient[] = [];

beforeAll(async () => {
  peer = await startSmtpServerPeer({ tls: "none", size: 10 * 1024 * 1024 });
});
afterAll(async () => {
  await peer?.close();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  if (spool) rmSync(spool, { recursive: true, force: true });
});

function client(options: Partial<ClientOptions> = {}) {
  const counting = countingConnector();
  const c = createClient({
    host: "127.0.0.1",
    port: peer.port,
    transport: counting.connector,
    ...options,
  });
  clients.push(c);
  return { client: c, connections: counting.transports };
}

function freshSpool(): string {
  spool = mkdtempSync(join(tmpdir(), "smtp-dkim-spool-"));
  return spool;
}

/** The verifiers' lines for the last message the server took, and the lines all-pass would give. */
async function lastVerdicts(...signatures: [algorithm: string, selector: string][]) {
  const verdicts = await verifyDkim(peer.received.at(-1)!.raw, keys);
  const lines = (verifier: string) =>
    signatures.map(([a, s]) => `${verifier} ${a} d=example.test s=${s}: pass`);
  return {
    lines: describeVerdicts(verdicts),
    allPass: [...lines("mailauth"), ...(verdicts.dkimpy ? lines("dkimpy") : [])],
  };
}

function oneShot(chunks: number, size = 100_000) {
  let started = false;
  const stream = (async function* () {
    started = true;
    for (let i = 0; i < chunks; i++) yield new Uint8Array(size).fill(i);
  })();
  return { stream, started: () => started };
}

describe("dkim option", () => {
  it("signs every message, RSA and Ed25519 side by side, and both verifiers agree; SIZE counts the signature", async () => {
    const { client: c } = client({ dkim: [rsaSignature, edSignature] });
    await c.send(message);
    const received = peer.received.at(-1)!;
    const text = new TextDecoder().decode(received.raw);
    expect(text.startsWith("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;")).toBe(true);
    expect(text).toContain("\r\nDKIM-Signature: v=1; a=ed25519-sha256;");
    expect(received.mailParams.SIZE).toBe(String(received.raw.length));
    const { lines, allPass } = await lastVerdicts(["rsa-sha256", "rsa"], ["ed25519-sha256", "ed"]);
    expect(lines).toEqual(allPass);
  });

  it.each(["simple/simple", "relaxed/simple", "simple/relaxed"] as const)(
    "signs with %s canonicalization",
    async (canonicalization) => {
      const { client: c } = client({ dkim: { ...rsaSignature, canonicalization } });
      await c.send(message);
      const { lines, allPass } = await lastVerdicts(["rsa-sha256", "rsa"]);
      expect(lines).toEqual(allPass);
      expect(new TextDecoder().decode(peer.received.at(-1)!.raw)).toContain(
        `c=${canonicalization};`,
      );
    },
  );

  it("a send's own dkim replaces the client's; dkim: false sends unsigned", async () => {
    const { client: c } = client({ dkim: rsaSignature });
    await c.send(message, { dkim: { ...edSignature } });
    let text = new TextDecoder().decode(peer.received.at(-1)!.raw);
    expect(text.match(/DKIM-Signature:/g)).toHaveLength(1);
    expect(text).toContain("a=ed25519-sha256;");
    const { lines, allPass } = await lastVerdicts(["ed25519-sha256", "ed"]);
    expect(lines).toEqual(allPass);
    await c.send(message, { dkim: false });
    text = new TextDecoder().decode(peer.received.at(-1)!.raw);
    expect(text).not.toContain("DKIM-Signature");
  });

  it("a bad key, domain or selector is refused by createClient, before any connection", () => {
    for (const bad of [
      { ...rsaSignature, privateKey: "not a key" },
      { ...rsaSignature, keySelector: "bad selector" },
      { ...rsaSignature, domainName: "exa_mple.test" },
      { ...rsaSignature, algorithm: "ed25519-sha256" as const },
      [rsaSignature, { ...edSignature, spool: "/tmp/a" }, { ...edSignature, spool: "/tmp/b" }],
    ]) {
      let error: unknown;
      try {
        createClient({ host: "127.0.0.1", port: peer.port, dkim: bad });
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ name: "SmtpError", kind: "invalid-input" });
    }
  });

  it("a send's bad dkim rejects with invalid-input and opens no connection", async () => {
    const { client: c, connections } = client();
    const error = await expectSmtpError(
      c.send(message, {
        dkim: { ...rsaSignature, privateKey: rsa.pkcs8.replace("PRIVATE", "PUBLIC") },
      }),
    );
    expect(error.kind).toBe("invalid-input");
    expect(error.message).toContain("dkim.privateKey");
    expect(connections).toEqual([]);
  });

  it("refuses one-shot stream content without spool, before reading it or connecting", async () => {
    const { client: c, connections } = client({ dkim: rsaSignature });
    const content = oneShot(3);
    const error = await expectSmtpError(
      c.send({ ...message, attachments: [{ filename: "s.bin", content: content.stream }] }),
    );
    expect(error.kind).toBe("invalid-input");
    expect(error.message).toMatch(/dkim\.spool/);
    expect(content.started()).toBe(false);
    expect(connections).toEqual([]);
  });

  it("with spool, signs one-shot stream content through a temporary file, then deletes it", async () => {
    const folder = freshSpool();
    const { client: c } = client({ dkim: { ...rsaSignature, spool: folder } });
    const before = peer.received.length;
    await c.send({ ...message, attachments: [{ filename: "s.bin", content: oneShot(5).stream }] });
    expect(peer.received.length).toBe(before + 1);
    const received = peer.received.at(-1)!;
    // The size was not known up front (no `size` on the stream); the spool pass measured it.
    expect(received.mailParams.SIZE).toBe(String(received.raw.length));
    const { lines, allPass } = await lastVerdicts(["rsa-sha256", "rsa"]);
    expect(lines).toEqual(allPass);
    expect(readdirSync(folder)).toEqual([]);
  });

  const RAW =
    "From: Raw <raw@example.test>\nTo: rcpt@example.test\nSubject: raw,  as it is\n\nline one \n.leading dot\n\n\nlast";

  it("signs a raw message (LF line ends, sent as CRLF) as the server receives it", async () => {
    const { client: c } = client({ dkim: [rsaSignature, edSignature] });
    await c.send({ raw: RAW });
    const { lines, allPass } = await lastVerdicts(["rsa-sha256", "rsa"], ["ed25519-sha256", "ed"]);
    expect(lines).toEqual(allPass);
  });

  it("a raw stream needs spool (refused before it is read past its headers), and signs with it", async () => {
    const stream = () =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          const bytes = new TextEncoder().encode(RAW);
          for (let i = 0; i < bytes.length; i += 7) controller.enqueue(bytes.slice(i, i + 7));
          controller.close();
        },
      });
    const { client: refusing, connections } = client({ dkim: rsaSignature });
    const error = await expectSmtpError(refusing.send({ raw: stream() }));
    expect(error.kind).toBe("invalid-input");
    expect(error.message).toContain("dkim.spool");
    expect(connections).toEqual([]);
    const folder = freshSpool();
    const { client: c } = client({ dkim: { ...rsaSignature, spool: folder } });
    await c.send({ raw: stream() });
    const { lines, allPass } = await lastVerdicts(["rsa-sha256", "rsa"]);
    expect(lines).toEqual(allPass);
    expect(readdirSync(folder)).toEqual([]);
  });

  it("an attachment from a file (path) is read twice, without spool", async () => {
    const folder = freshSpool();
    const file = join(folder, "report.bin");
    writeFileSync(
      file,
      new Uint8Array(150_000).map((_, i) => i * 3),
    );
    const { client: c } = client({ dkim: edSignature });
    await c.send({ ...message, attachments: [{ path: file }] });
    const { lines, allPass } = await lastVerdicts(["ed25519-sha256", "ed"]);
    expect(lines).toEqual(allPass);
  });

  it("with spool, a failing stream rejects with invalid-input, leaves no file and opens no connection", async () => {
    const folder = freshSpool();
    const { client: c, connections } = client({ dkim: { ...rsaSignature, spool: folder } });
    const failing = (async function* () {
      yield new Uint8Array(10);
      throw new Error("disk on fire");
    })();
    const error = await expectSmtpError(
      c.send({ ...message, attachments: [{ filename: "s.bin", content: failing }] }),
    );
    expect(error.kind).toBe("invalid-input");
    expect(error.message).toContain("disk on fire");
    expect(readdirSync(folder)).toEqual([]);
    expect(connections).toEqual([]);
  });

  it("a spool folder that does not exist is invalid-input", async () => {
    const { client: c } = client({
      dkim: { ...rsaSignature, spool: join(tmpdir(), "smtp-dkim-no-such-folder", "x") },
    });
    const error = await expectSmtpError(
      c.send({ ...message, attachments: [{ filename: "s.bin", content: oneShot(1).stream }] }),
    );
    expect(error.kind).toBe("invalid-input");
    expect(error.message).toContain("dkim.spool");
  });

  it("an abort while signing rejects with aborted, connects nowhere and deletes the spool file", async () => {
    const folder = freshSpool();
    const { client: c, connections } = client({ dkim: { ...rsaSignature, spool: folder } });
    const controller = new AbortController();
    const modes: number[] = [];
    const stalled = (async function* () {
      yield new Uint8Array(10);
      // The spool file exists while the message is read, readable by its owner only.
      for (const name of readdirSync(folder)) modes.push(statSync(join(folder, name)).mode & 0o777);
      controller.abort(new Error("changed my mind"));
      await new Promise(() => {}); // never yields again
    })();
    const error = await expectSmtpError(
      c.send(
        { ...message, attachments: [{ filename: "s.bin", content: stalled }] },
        {
          signal: controller.signal,
        },
      ),
    );
    expect(error.kind).toBe("aborted");
    expect(modes).toEqual([0o600]);
    expect(readdirSync(folder)).toEqual([]);
    expect(connections).toEqual([]);
  });

  /** A signed send whose attachment takes 50 ms to read, 10 ms under way. */
  async function sendingSlowly() {
    const folder = freshSpool();
    const { client: c } = client({ dkim: { ...rsaSignature, spool: folder } });
    const before = peer.received.length;
    const slow = (async function* () {
      yield new Uint8Array(10);
      await new Promise((resolve) => setTimeout(resolve, 50));
      yield new Uint8Array(10);
    })();
    const sent = c.send({ ...message, attachments: [{ filename: "s.bin", content: slow }] });
    await new Promise((resolve) => setTimeout(resolve, 10));
    return { c, before, sent };
  }

  it("close() waits for a message still being signed, which is then sent", async () => {
    const { c, before, sent } = await sendingSlowly();
    await c.close();
    await sent;
    expect(peer.received.length).toBe(before + 1);
  });

  it("two close() calls during signing both wait for it, and both end", async () => {
    const { c, before, sent } = await sendingSlowly();
    const closes = [c.close(), c.close()].map((closing) =>
      closing.then(() => peer.received.length),
    );
    // Each close() resolves only once the pool has closed, so after the signed message went.
    expect(await Promise.all(closes)).toEqual([before + 1, before + 1]);
    await sent;
    expect(peer.received.length).toBe(before + 1);
  });
});
