// A raw SMTP conversation through the Deno transport with a real server (smtp-server run by
// tests/with-smtp-peers.ts): STARTTLS then AUTH PLAIN, implicit TLS, a refused recipient.

import assert from "node:assert/strict";
import type { Transport } from "@smtp/core/transport-kit";

import { denoConnector } from "../../src/index.ts";
import { bytes, peerEnv, ReplyReader } from "./helpers.ts";

const peer = peerEnv();

async function command(
  transport: Transport,
  replies: ReplyReader,
  line: string,
  expected: number,
): Promise<string> {
  await transport.write(bytes(`${line}\r\n`));
  const reply = await replies.next();
  assert.equal(reply.code, expected, `${line.split(" ")[0]} got ${reply.code} ${reply.text}`);
  return reply.text;
}

function message(subject: string): string {
  return [
    "From: <user@example.test>",
    "To: <rcpt@example.test>",
    `Subject: ${subject}`,
    `X-Test-Run: ${peer.runId}`,
    "",
    "Sent by the Deno transport suite.",
    ".",
    "",
  ].join("\r\n");
}

async function deliver(transport: Transport, replies: ReplyReader, subject: string): Promise<void> {
  await command(transport, replies, "MAIL FROM:<user@example.test>", 250);
  await command(transport, replies, "RCPT TO:<rcpt@example.test>", 250);
  await command(transport, replies, "RCPT TO:<no-such-user@example.test>", 550);
  await command(transport, replies, "DATA", 354);
  await transport.write(bytes(message(subject)));
  const queued = await replies.next();
  assert.equal(queued.code, 250, queued.text);
  await command(transport, replies, "QUIT", 221);
  assert.equal(await transport.read(), null, "the server closes after QUIT");
  assert.equal(replies.surplus, "");
}

Deno.test("STARTTLS, then AUTH PLAIN inside TLS, a refused and an accepted recipient", async () => {
  const transport = await denoConnector({ tls: { ca: peer.caPem } })({
    host: peer.host,
    port: peer.starttlsPort,
    tls: "starttls",
  });
  try {
    const replies = new ReplyReader(() => transport.read());
    assert.equal((await replies.next()).code, 220);
    const before = await command(transport, replies, "EHLO client.test", 250);
    assert.match(before, /STARTTLS/);
    await command(transport, replies, "STARTTLS", 220);
    await transport.startTls({ servername: "localhost" });
    assert.equal(transport.secure, true);
    const after = await command(transport, replies, "EHLO client.test", 250);
    assert.match(after, /AUTH .*PLAIN/);
    const token = btoa(`\0${peer.user}\0${peer.pass}`);
    await command(transport, replies, `AUTH PLAIN ${token}`, 235);
    await deliver(transport, replies, "deno transport: STARTTLS");
  } finally {
    await transport.close();
  }
});

Deno.test("implicit TLS from the first byte", async () => {
  const transport = await denoConnector({ tls: { ca: peer.caPem } })({
    host: "localhost",
    port: peer.smtpsPort,
    tls: "implicit",
  });
  try {
    assert.equal(transport.secure, true);
    const replies = new ReplyReader(() => transport.read());
    assert.equal((await replies.next()).code, 220);
    await command(transport, replies, "EHLO client.test", 250);
    await deliver(transport, replies, "deno transport: implicit TLS");
  } finally {
    await transport.close();
  }
});

Deno.test("STARTTLS to a server whose certificate is not trusted fails with kind tls", async () => {
  const transport = await denoConnector()({
    host: peer.host,
    port: peer.starttlsPort,
    tls: "starttls",
  });
  const replies = new ReplyReader(() => transport.read());
  assert.equal((await replies.next()).code, 220);
  await command(transport, replies, "EHLO client.test", 250);
  await command(transport, replies, "STARTTLS", 220);
  const error = await transport.startTls({ servername: "localhost" }).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.equal((error as { kind?: string }).kind, "tls", String(error));
  assert.equal(transport.secure, false);
  await assert.rejects(transport.write(bytes("QUIT\r\n")));
  await transport.close();
});
