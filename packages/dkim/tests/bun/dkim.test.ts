// @smtp/dkim and @smtp/client's `dkim` option under `bun test`: Bun's WebCrypto signs (RSA
// and Ed25519), node:crypto's SHA-256 hashes the body, node:fs spools, and every signature
// is checked by mailauth and dkimpy with the test keys (never DNS).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeVerdicts, testKey, type Verdicts, verifyDkim } from "@smtp-internal/dkim-verify";
import { type SmtpServerPeer, startSmtpServerPeer } from "@smtp-internal/test-peer";
import { createClient } from "../../../client/src/index.ts";
import { createDkimSigner, prependFields } from "../../src/index.ts";
import { RFC_MESSAGE, RFC8463_KEYS, RFC8463_RSA_PKCS1 } from "../../test/rfc-vectors.ts";
import { testKeyRecords, testSignatures } from "../signatures.ts";

const rsa = testKey("rsa");
const ed = testKey("ed25519");
const keys = testKeyRecords(rsa.record, ed.record);
const both = testSignatures(rsa.pkcs8, ed.pkcs8);

let peer: SmtpServerPeer;
beforeAll(async () => {
  peer = await startSmtpServerPeer({ tls: "none", size: 10 * 1024 * 1024 });
});
afterAll(async () => {
  await peer?.close();
});

/** Every line of `verdicts` is a pass, and each verifier that ran saw `signatures` signatures. */
function expectAllPass(verdicts: Verdicts, signatures: number) {
  expect(describeVerdicts(verdicts).filter((line) => !line.endsWith(": pass"))).toEqual([]);
  expect(verdicts.mailauth).toHaveLength(signatures);
  if (verdicts.dkimpy) expect(verdicts.dkimpy).toHaveLength(signatures);
}

test("dkim: Bun's WebCrypto signs with RSA (PKCS#8 and PKCS#1) and Ed25519; both verifiers agree", async () => {
  const message = new TextEncoder().encode(RFC_MESSAGE);
  const fields = await createDkimSigner([
    ...both,
    { domainName: "football.example.com", keySelector: "test", privateKey: RFC8463_RSA_PKCS1 },
  ]).sign([message]);
  const chunks: Uint8Array[] = [];
  for await (const chunk of prependFields(fields, [message])) chunks.push(chunk);
  expectAllPass(await verifyDkim(Buffer.concat(chunks), { ...keys, ...RFC8463_KEYS }), 3);
});

test("dkim: the client on Bun signs what it sends", async () => {
  const client = createClient({ host: "127.0.0.1", port: peer.port, dkim: both });
  await client.send({
    from: "Bun <bun@example.com>",
    to: "rcpt@example.test",
    subject: "Signed on Bun — Grüße",
    text: "Hello from Bun.\n.\nA lone dot above.\n",
    attachments: [{ filename: "a.bin", content: new Uint8Array(300_000).map((_, i) => i) }],
  });
  await client.close();
  const received = peer.received.at(-1)!;
  expect(received.mailParams.SIZE).toBe(String(received.raw.length));
  expectAllPass(await verifyDkim(received.raw, keys), 2);
});

test("dkim: the client on Bun spools one-shot stream content, then removes the file", async () => {
  const folder = mkdtempSync(join(tmpdir(), "smtp-dkim-spool-"));
  try {
    const client = createClient({
      host: "127.0.0.1",
      port: peer.port,
      dkim: { ...both[0]!, spool: folder },
    });
    const once = (async function* () {
      for (let i = 0; i < 4; i++) yield new Uint8Array(100_000).fill(i);
    })();
    await client.send({
      from: "bun@example.com",
      to: "rcpt@example.test",
      subject: "Spooled on Bun",
      attachments: [{ filename: "s.bin", content: once }],
    });
    await client.close();
    expectAllPass(await verifyDkim(peer.received.at(-1)!.raw, keys), 1);
    expect(readdirSync(folder)).toEqual([]);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
