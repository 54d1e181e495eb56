/**
 * Sends one message from Bun with `@smtp/client`, which uses the Node transport
 * (`node:net` / `node:tls`, STARTTLS included) on Bun.
 *
 *   MAIL_HOST=smtp.example.com MAIL_USER=… MAIL_PASS=… bun --conditions=source src/main.ts
 *
 * In your project: `bun add @smtp/client`, then `import { createClient } from "@smtp/client"`.
 *
 * Settings: MAIL_HOST (required), MAIL_PORT, MAIL_SECURE=true (implicit TLS, port 465),
 * MAIL_USER, MAIL_PASS, MAIL_CA_FILE (PEM of a private CA), MAIL_SERVERNAME, MAIL_FROM,
 * MAIL_TO. The process ends on its own once the client is closed: nothing is left open.
 */
import { readFile } from "node:fs/promises";
import { type ClientOptions, createClient, SmtpError } from "@smtp/client";

const env = (name: string): string | undefined => process.env[name] || undefined;

const host = env("MAIL_HOST");
if (!host) {
  console.error("set MAIL_HOST (and MAIL_PORT, MAIL_USER, MAIL_PASS … as needed)");
  process.exit(2);
}
const options: ClientOptions = { host, secure: env("MAIL_SECURE") === "true" };
const port = env("MAIL_PORT");
if (port) options.port = Number(port);
const user = env("MAIL_USER");
const pass = env("MAIL_PASS");
if (user && pass) options.auth = { user, pass };
const caFile = env("MAIL_CA_FILE");
const servername = env("MAIL_SERVERNAME");
if (caFile || servername) {
  options.tls = {
    ...(caFile ? { ca: await readFile(caFile, "utf8") } : {}),
    ...(servername ? { servername } : {}),
  };
}

const runtime = typeof process.versions.bun === "string" ? `Bun ${process.versions.bun}` : "Node";
const client = createClient(options);
try {
  const info = await client.send({
    from: env("MAIL_FROM") ?? user ?? "sender@example.test",
    to: env("MAIL_TO") ?? "recipient@example.test",
    subject: "Hello from Bun",
    text: `Sent by @smtp/client on ${runtime}.\n`,
    headers: env("MAIL_TEST_RUN") ? { "X-Test-Run": env("MAIL_TEST_RUN") ?? "" } : {},
  });
  console.log(`sent ${info.messageId} to ${info.accepted.join(", ")}: ${info.response}`);
  for (const r of info.rejected) console.log(`refused ${r.address}: ${r.code} ${r.message}`);
} catch (error) {
  if (!(error instanceof SmtpError)) throw error;
  console.error(`not sent (${error.kind}${error.code ? ` ${error.code}` : ""}): ${error.message}`);
  process.exitCode = 1;
} finally {
  await client.close();
}
