// Run with transport-deno's poison map (--import-map): every `node:*` built-in then throws
// when loaded. @smtp/client must sign with DKIM (WebCrypto, the TypeScript SHA-256) and
// spool (Deno.open) on Deno all the same, which proves neither loads a node:* module there.
// (Plain asserts: node:assert is poisoned too.)
import { startSink } from "../deno/sink.ts";
import { allPass, verify, webCryptoKey } from "../deno/verify.ts";

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

Deno.test("the poison map is active: importing node:crypto fails", async () => {
  const specifier = ["node", "crypto"].join(":");
  const error = await import(specifier).then(
    () => undefined,
    (e: unknown) => e,
  );
  check(error instanceof Error && /imported on Deno/.test(error.message), String(error));
});

Deno.test("@smtp/client signs with DKIM and spools on Deno without any node:* module", async () => {
  const { createClient } = await import("../../../client/src/index.ts");
  const ed = await webCryptoKey("ed25519");
  const folder = await Deno.makeTempDir({ prefix: "smtp-dkim-spool-" });
  const sink = startSink();
  try {
    const client = createClient({
      host: "127.0.0.1",
      port: sink.port,
      dkim: { domainName: "example.com", keySelector: "ed", privateKey: ed.pem, spool: folder },
    });
    const once = (async function* () {
      yield new Uint8Array(70_000).fill(1);
    })();
    await client.send({
      from: "deno@example.com",
      to: "rcpt@example.org",
      subject: "No node:* here",
      attachments: [{ filename: "a.bin", content: once }],
    });
    await client.close();
    check(sink.received.length === 1, `received ${sink.received.length}`);
    const { lines, verifiers } = await verify(sink.received[0]!, {
      "ed._domainkey.example.com": ed.record,
    });
    const expected = allPass(verifiers, [["ed25519-sha256", "example.com", "ed"]]);
    check(JSON.stringify(lines) === JSON.stringify(expected), lines.join("\n"));
    check([...Deno.readDirSync(folder)].length === 0, "the spool file was left behind");
  } finally {
    await sink.close();
    await Deno.remove(folder, { recursive: true });
  }
});
