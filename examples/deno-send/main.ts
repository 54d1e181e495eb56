/**
 * Sends one message from Deno with `@smtp/client`, which picks the Deno transport
 * (`Deno.connect` / `Deno.startTls`) by itself.
 *
 *   MAIL_HOST=smtp.example.com MAIL_USER=… MAIL_PASS=… \
 *     deno run --allow-net --allow-env --allow-read examples/deno-send/main.ts
 *
 * In this repository "@smtp/client" resolves to the workspace sources (the root deno.json).
 * In your project, import it from JSR or npm instead:
 *
 *   import { createClient } from "jsr:@smtp/client";
 *   import { createClient } from "npm:@smtp/client";
 *
 * Settings: MAIL_HOST (required), MAIL_PORT, MAIL_SECURE=true (implicit TLS, port 465),
 * MAIL_USER, MAIL_PASS, MAIL_CA_FILE (PEM of a private CA), MAIL_SERVERNAME, MAIL_FROM,
 * MAIL_TO. The process ends on its own once the client is closed: nothing is left open.
 */
import { type ClientOptions, createClient, SmtpError } from "@smtp/client";

const env = (name: string): string | undefined => Deno.env.get(name) || undefined;

const host = env("MAIL_HOST");
if (!host) {
  console.error("set MAIL_HOST (and MAIL_PORT, MAIL_USER, MAIL_PASS … as needed)");
  Deno.exit(2);
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
    ...(caFile ? { ca: await Deno.readTextFile(caFile) } : {}),
    ...(servername ? { servername } : {}),
  };
}

const client = createClient(options);
try {
  const info = await client.send({
    from: env("MAIL_FROM") ?? user ?? "sender@example.test",
    to: env("MAIL_TO") ?? "recipient@example.test",
    subject: "Hello from Deno",
    text: `Sent by @smtp/client on Deno ${Deno.version.deno}.\n`,
    headers: env("MAIL_TEST_RUN") ? { "X-Test-Run": env("MAIL_TEST_RUN") ?? "" } : {},
  });
  console.log(`sent ${info.messageId} to ${info.accepted.join(", ")}: ${info.response}`);
  for (const r of info.rejected) console.log(`refused ${r.address}: ${r.code} ${r.message}`);
} catch (error) {
  if (!(error instanceof SmtpError)) throw error;
  console.error(`not sent (${error.kind}${error.code ? ` ${error.code}` : ""}): ${error.message}`);
  Deno.exitCode = 1;
} finally {
  await client.close();
}
