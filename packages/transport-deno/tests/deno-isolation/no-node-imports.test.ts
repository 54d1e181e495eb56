// Run with --import-map=poison-node.json: every `node:*` built-in and @smtp/transport-node
// then resolve to poison.ts, which throws when evaluated. @smtp/client must load and send
// a message on Deno all the same, which proves it imports none of them there.
// (Plain asserts: node:assert is poisoned too.)
import { peerEnv } from "../deno/helpers.ts";

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

Deno.test("the poison map is active: importing node:net fails", async () => {
  const specifier = ["node", "net"].join(":");
  const error = await import(specifier).then(
    () => undefined,
    (e: unknown) => e,
  );
  check(error instanceof Error && /imported on Deno/.test(error.message), String(error));
});

Deno.test("@smtp/client loads and sends over STARTTLS on Deno, a file attached, without any node:* module", async () => {
  const peer = peerEnv();
  const { createClient } = await import("../../../client/src/index.ts");
  const client = createClient({
    host: peer.host,
    port: peer.starttlsPort,
    starttls: "required",
    tls: { ca: peer.caPem },
    auth: { user: peer.user, pass: peer.pass },
  });
  try {
    const info = await client.send({
      from: peer.user,
      to: ["rcpt@example.test"],
      subject: "deno client without node:*",
      text: "No node:* module was loaded to send this, nor to read its attachment.\n",
      headers: { "X-Test-Run": peer.runId },
      attachments: [{ path: new URL("../fixtures/ca.pem", import.meta.url).pathname }],
    });
    check(info.accepted.length === 1, JSON.stringify(info));
  } finally {
    await client.close();
  }
});
