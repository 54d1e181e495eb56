// @smtp/client on Deno with its default transport (this package, chosen because it runs on
// Deno), against the smtp-server peers of tests/with-smtp-peers.ts. The sanitizers stay on:
// a test fails if any connection, timer or pending operation outlives it.
import assert from "node:assert/strict";
import { createClient, SmtpError } from "../../../client/src/index.ts";
import { defaultConnector } from "../../../client/src/runtime.ts";
import { DenoTransport } from "../../src/index.ts";
import { peerEnv } from "./helpers.ts";

const peer = peerEnv();
const auth = { user: peer.user, pass: peer.pass };

function message(subject: string, to: string[]) {
  return {
    from: { name: "Deno Suite", address: peer.user },
    to,
    subject,
    text: "Sent by @smtp/client on Deno.\n.\nA lone dot above.\n",
    headers: { "X-Test-Run": peer.runId },
  };
}

/** A client of the STARTTLS peer that requires STARTTLS, trusts the peer's CA and logs in. */
function starttlsClient(tls: { servername?: string } = {}) {
  return createClient({
    host: peer.host,
    port: peer.starttlsPort,
    starttls: "required",
    tls: { ca: peer.caPem, ...tls },
    auth,
  });
}

async function rejection(promise: Promise<unknown>): Promise<SmtpError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof SmtpError, `expected an SmtpError, got ${String(error)}`);
  return error;
}

Deno.test("client: the default transport on Deno is the Deno one", async () => {
  const connect = await defaultConnector({ ca: peer.caPem });
  const transport = await connect({ host: peer.host, port: peer.smtpsPort, tls: "implicit" });
  try {
    assert.ok(transport instanceof DenoTransport, transport.constructor.name);
    assert.equal(transport.secure, true);
  } finally {
    await transport.close();
  }
});

Deno.test("client: STARTTLS with AUTH delivers, and the refused recipient is reported", async () => {
  const client = starttlsClient({ servername: "localhost" });
  try {
    const info = await client.send(
      message("deno client: STARTTLS", ["rcpt@example.test", "no-such-user@example.test"]),
    );
    assert.deepEqual(info.accepted, ["rcpt@example.test"]);
    assert.equal(info.rejected.length, 1);
    assert.equal(info.rejected[0]?.address, "no-such-user@example.test");
    assert.equal(info.rejected[0]?.code, 550);
    assert.match(info.response, /^250/);
  } finally {
    await client.close();
  }
});

Deno.test("client: implicit TLS with AUTH delivers", async () => {
  const client = createClient({
    host: peer.host,
    port: peer.smtpsPort,
    secure: true,
    tls: { ca: peer.caPem },
    auth,
  });
  try {
    const info = await client.send(message("deno client: implicit TLS", ["rcpt@example.test"]));
    assert.deepEqual(info.accepted, ["rcpt@example.test"]);
    assert.deepEqual(info.rejected, []);
  } finally {
    await client.close();
  }
});

Deno.test("client: every recipient refused is a rejected error with each refusal", async () => {
  const client = starttlsClient();
  try {
    const error = await rejection(
      client.send(message("deno client: refused", ["someone@reject.test"])),
    );
    assert.equal(error.kind, "rejected");
    assert.equal(error.rejected?.[0]?.address, "someone@reject.test");
    assert.equal(error.rejected?.[0]?.code, 550);
    assert.equal(error.retryable, false);
  } finally {
    await client.close();
  }
});

Deno.test("client: verify() over STARTTLS returns the server's capabilities", async () => {
  const client = starttlsClient();
  try {
    const capabilities = await client.verify();
    assert.equal(capabilities.pipelining, true);
    assert.ok(capabilities.keywords.has("AUTH"), JSON.stringify([...capabilities.keywords.keys()]));
  } finally {
    await client.close();
  }
});

Deno.test("client: without --allow-sys=hostname, EHLO names the address literal and nothing prompts", async () => {
  assert.notEqual(Deno.permissions.querySync({ name: "sys", kind: "hostname" }).state, "granted");
  const lines: string[] = [];
  const client = createClient({
    host: peer.host,
    port: peer.starttlsPort,
    tls: { ca: peer.caPem, servername: "localhost" },
    auth,
    transcript: (entry) => lines.push(`${entry.direction}: ${entry.text}`),
  });
  try {
    await client.verify();
    assert.ok(lines.includes(`C: EHLO [${peer.host}]`), lines.join("\n"));
  } finally {
    await client.close();
  }
});

Deno.test("client: an untrusted certificate fails STARTTLS with kind tls", async () => {
  const client = createClient({ host: peer.host, port: peer.starttlsPort, starttls: "required" });
  try {
    const error = await rejection(client.verify());
    assert.equal(error.kind, "tls");
    // Deno (rustls) names the failure its own way; the message still names the option.
    assert.match(error.message, /tls\.ca/);
  } finally {
    await client.close();
  }
});

Deno.test("client: a server that never greets times out in phase greeting", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const client = createClient({
    host: "127.0.0.1",
    port: listener.addr.port,
    starttls: "required",
    timeouts: { greeting: 200 },
  });
  try {
    const error = await rejection(client.verify());
    assert.equal(error.kind, "timeout");
    assert.equal(error.phase, "greeting");
    assert.equal(error.retryable, true);
    assert.match(error.message, /secure: true/);
  } finally {
    await client.close();
    (await accepted).close();
    listener.close();
  }
});

// attachments[].path on Deno: the client reads files with Deno.open (no node:* module), a
// chunk at a time, and checks them before connecting.
const fixture = new URL("../fixtures/ca.pem", import.meta.url);

Deno.test("client: a path is read through Deno.open, 64 KiB at a time, and sent", async () => {
  const { openFiles } = await import("../../../client/src/files.ts");
  const path = fixture.pathname;
  const files = await openFiles([{ field: "attachments[0].path", path }]);
  const file = files?.(path);
  assert.ok(file !== undefined);
  const expected = await Deno.readFile(fixture);
  assert.equal(file.size, expected.length);
  const read: number[] = [];
  for await (const chunk of file.open() as AsyncIterable<Uint8Array>) {
    assert.ok(chunk.length <= 65_536);
    read.push(...chunk);
  }
  assert.deepEqual(Uint8Array.from(read), expected);

  const client = starttlsClient();
  try {
    const info = await client.send({
      ...message("deno client: a file from a path", ["rcpt@example.test"]),
      attachments: [{ path }],
    });
    assert.deepEqual(info.accepted, ["rcpt@example.test"]);
  } finally {
    await client.close();
  }
});

Deno.test("client: a missing file, or one outside --allow-read, is invalid-input before connecting", async () => {
  const client = starttlsClient();
  try {
    for (const [path, reason] of [
      [new URL("../fixtures/no-such-file.bin", import.meta.url).pathname, /\((ENOENT|NotFound)\)$/],
      ["/etc/hostname", /\((NotCapable|PermissionDenied|EACCES)\)$/],
    ] as const) {
      const error = await rejection(
        client.send({
          ...message("deno client: never sent", ["rcpt@example.test"]),
          attachments: [{ path }],
        }),
      );
      assert.equal(error.kind, "invalid-input");
      assert.match(error.message, /^attachments\[0\]\.path: cannot read the file /);
      assert.match(error.message, reason);
    }
  } finally {
    await client.close();
  }
});
