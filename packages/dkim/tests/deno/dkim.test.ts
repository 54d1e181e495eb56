// @smtp/dkim and @smtp/client's `dkim` option on Deno: signatures made by Deno's WebCrypto
// (RSA and Ed25519) and checked by mailauth and dkimpy, run under Node with the keys given
// to them (never DNS). The sanitizers stay on.
import assert from "node:assert/strict";
import { concatBytes } from "@smtp/core/internal";
import { createClient } from "../../../client/src/index.ts";
import { createDkimSigner, prependFields } from "../../src/index.ts";
import { RFC_MESSAGE, RFC8463_KEYS, RFC8463_RSA_PKCS1 } from "../../test/rfc-vectors.ts";
import { testKeyRecords, testSignatures } from "../signatures.ts";
import { startSink } from "./sink.ts";
import { allPass, verify, webCryptoKey } from "./verify.ts";

const rsa = await webCryptoKey("rsa");
const ed = await webCryptoKey("ed25519");
const keys = testKeyRecords(rsa.record, ed.record);
const both = testSignatures(rsa.pem, ed.pem);

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk.slice());
  return concatBytes(chunks);
}

Deno.test("dkim: Deno's WebCrypto signs with RSA (PKCS#8 and PKCS#1) and Ed25519; both verifiers agree", async () => {
  const message = new TextEncoder().encode(RFC_MESSAGE);
  const signer = createDkimSigner([
    ...both,
    { domainName: "football.example.com", keySelector: "test", privateKey: RFC8463_RSA_PKCS1 },
  ]);
  const fields = await signer.sign([message]);
  const signed = await collect(prependFields(fields, [message]));
  const { lines, verifiers } = await verify(signed, { ...keys, ...RFC8463_KEYS });
  assert.deepEqual(
    lines,
    allPass(verifiers, [
      ["rsa-sha256", "example.com", "rsa"],
      ["ed25519-sha256", "example.com", "ed"],
      ["rsa-sha256", "football.example.com", "test"],
    ]),
  );
});

Deno.test("dkim: the client on Deno signs what it sends, with the pure-TypeScript SHA-256", async () => {
  const sink = startSink();
  try {
    const client = createClient({ host: "127.0.0.1", port: sink.port, dkim: both });
    await client.send({
      from: "Deno <deno@example.com>",
      to: "rcpt@example.org",
      subject: "Signed on Deno — Grüße",
      text: "Hello from Deno.\n.\nA lone dot above.\n",
      attachments: [{ filename: "a.bin", content: new Uint8Array(300_000).map((_, i) => i) }],
    });
    await client.close();
    assert.equal(sink.received.length, 1);
    const { lines, verifiers } = await verify(sink.received[0]!, keys);
    assert.deepEqual(
      lines,
      allPass(verifiers, [
        ["rsa-sha256", "example.com", "rsa"],
        ["ed25519-sha256", "example.com", "ed"],
      ]),
    );
  } finally {
    await sink.close();
  }
});

Deno.test("dkim: the client on Deno spools one-shot stream content with Deno.open, then removes the file", async () => {
  const folder = await Deno.makeTempDir({ prefix: "smtp-dkim-spool-" });
  const sink = startSink();
  try {
    const client = createClient({
      host: "127.0.0.1",
      port: sink.port,
      dkim: { ...both[1]!, spool: folder },
    });
    const content = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 4; i++) controller.enqueue(new Uint8Array(100_000).fill(i));
        controller.close();
      },
    });
    await client.send({
      from: "deno@example.com",
      to: "rcpt@example.org",
      subject: "Spooled on Deno",
      attachments: [{ filename: "s.bin", content }],
    });
    await client.close();
    const { lines, verifiers } = await verify(sink.received[0]!, keys);
    assert.deepEqual(lines, allPass(verifiers, [["ed25519-sha256", "example.com", "ed"]]));
    assert.deepEqual([...Deno.readDirSync(folder)], []);
  } finally {
    await sink.close();
    await Deno.remove(folder, { recursive: true });
  }
});
