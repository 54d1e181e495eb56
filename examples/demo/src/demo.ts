/**
 * The README's demo. It starts an embedded SMTP server (smtp-server, in this process)
 * with STARTTLS and AUTH and a certificate from a test CA made on the fly, sends one
 * message through it with `@smtp/client` (UTF-8 subject, text and HTML bodies, an inline
 * image and an attachment), prints the conversation with the credentials redacted, and
 * writes the message the server received to `.demo-output/*.eml`.
 *
 * Run it with `pnpm demo` from the repository root.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { type ClientTranscriptEntry, createClient } from "@smtp/client";
import { startSmtpServerPeer } from "@smtp-internal/test-peer";

// A 16×16 PNG, inlined so the demo needs no file.
const LOGO_PNG = Uint8Array.from(
  atob(
    "iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAABA0lEQVR42q3SIW6DMRCE0ZyqB8gBfAAfwCBwoYGB4UIDA8OFBgaGC38QfcqlWpooidpKGf7AaOb0/c+cPgPkQrmgF34HUUiCCEVQoQsmvAUhEzMpI5mS0UzPWGZlXoBzJVRiJVWkUipa6RWrrIpXnoASlKgkRZSiqNIVU5bi+gi+GudGaMRGakijNLTRG9ZYDW9cG3dgcB6EQRykgQzKQAd9YIM18MF13APjbAQjGskQoxhqdMOMZbhxNR47TMIkTtJEJmWikz6xyZr4fC69CZu4SRvZlI1u+sY2a+ObVzs40UmOOMVRpzvmLOf90gfpQA7KgR70Azv4w5dulBt64wNv/QFMzXZqpl4U7AAAAABJRU5ErkJggg==",
  ),
  (c) => c.charCodeAt(0),
);

const outputDir = resolve(import.meta.dirname, "../../../.demo-output");

function show(entry: ClientTranscriptEntry): void {
  const arrow = entry.direction === "C" ? "C:" : entry.direction === "S" ? "S:" : "**";
  console.log(`  ${arrow} ${entry.text}`);
}

console.log("Starting an embedded SMTP server (STARTTLS + AUTH, test CA made on the fly)…");
const server = await startSmtpServerPeer({ host: "127.0.0.1", tls: "starttls" });
console.log(`Listening on ${server.host}:${server.port}\n`);

const client = createClient({
  host: server.host,
  port: server.port,
  // Loopback would default to "opportunistic"; the demo insists on TLS like a real server.
  starttls: "required",
  tls: { ca: server.ca.caPem },
  auth: { user: "user@example.test", pass: "password" },
  name: "demo.example.test",
  transcript: show,
});

try {
  console.log("Conversation (credentials redacted):");
  const info = await client.send({
    from: { name: "Zoë Démo", address: "user@example.test" },
    to: ["Ärger Empfänger <recipient@example.test>"],
    subject: "Grüße aus @smtp ✉️ — UTF-8 subject",
    text: "Hello from @smtp!\n\nThis message has an HTML part, an inline image and an attachment.\n",
    html: '<p>Hello from <b>@smtp</b>! ✉️</p><p><img src="cid:logo@demo" alt="logo"></p>',
    attachments: [
      { filename: "logo.png", content: LOGO_PNG, contentType: "image/png", cid: "logo@demo" },
      { filename: "notes — ünïcödé.txt", content: "An attachment with a UTF-8 file name.\n" },
    ],
  });
  await client.close();

  const received = server.received.at(-1);
  if (!received) throw new Error("the server received nothing");
  await mkdir(outputDir, { recursive: true });
  const emlPath = join(outputDir, `demo-${Date.now()}.eml`);
  await writeFile(emlPath, received.raw);

  console.log("\nSent.");
  console.log(`  Message-ID: ${info.messageId}`);
  console.log(`  accepted:   ${info.accepted.join(", ")}`);
  console.log(`  response:   ${info.response}`);
  console.log(`  over TLS:   ${received.secure}, authenticated as ${received.user}`);
  console.log(`\nThe server received ${received.raw.length} bytes, written to:`);
  console.log(`  ${emlPath}`);
} finally {
  await client.close();
  await server.close();
}
