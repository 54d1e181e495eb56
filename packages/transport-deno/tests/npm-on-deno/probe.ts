// Deno importing the npm build of @smtp/client (`npm:@smtp/client`, resolved from the
// node_modules that run.sh installs from the packed tarballs), sending over STARTTLS with
// AUTH and over implicit TLS to the smtp-server peers of with-smtp-peers.ts.
import { createClient } from "npm:@smtp/client";

const env = (name: string): string => {
  const value = Deno.env.get(name);
  if (!value) throw new Error(`${name} is not set: run through run.sh`);
  return value;
};

for (const secure of [false, true]) {
  const client = createClient({
    host: env("SMTP_PEER_HOST"),
    port: Number(env(secure ? "SMTP_PEER_SMTPS_PORT" : "SMTP_PEER_STARTTLS_PORT")),
    ...(secure ? { secure: true } : { starttls: "required" as const }),
    tls: { ca: env("SMTP_PEER_CA_PEM") },
    auth: { user: env("SMTP_PEER_USER"), pass: env("SMTP_PEER_PASS") },
  });
  try {
    const info = await client.send({
      from: env("SMTP_PEER_USER"),
      to: "rcpt@example.test",
      subject: `npm:@smtp/client on Deno (${secure ? "implicit TLS" : "STARTTLS"})`,
      text: "Sent by the npm build on Deno.\n",
      headers: { "X-Test-Run": env("SMTP_PEER_RUN_ID") },
    });
    console.log(
      `npm:@smtp/client on Deno, ${secure ? "implicit TLS" : "STARTTLS"}: ${info.response}`,
    );
  } finally {
    await client.close();
  }
}
