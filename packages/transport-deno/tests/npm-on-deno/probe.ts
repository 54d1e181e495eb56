// Deno importing the npm build of @smtp/client (`npm:@smtp/client`, resolved from the
// node_modules that run.sh installs from the packed tarballs), sending over STARTTLS with
// AUTH and over implicit TLS to the smtp-server peers of with-smtp-peers.ts: twice through
// the default transport, which must be the Deno one, and once through an explicit
// `transport` built from `npm:@smtp/transport-deno`.
import { createClient } from "npm:@smtp/client";
import { DenoTransport, denoConnector } from "npm:@smtp/transport-deno";

const env = (name: string): string => {
  const value = Deno.env.get(name);
  if (!value) throw new Error(`${name} is not set: run through run.sh`);
  return value;
};

// The Deno transport opens connections with these globals; the Node transport, run through
// Deno's node:net/node:tls, does not. Counting the calls tells which one the default was.
type Counted = "connect" | "connectTls" | "startTls";
const calls: Record<Counted, number> = { connect: 0, connectTls: 0, startTls: 0 };
const denoApi = Deno as unknown as Record<Counted, (...args: unknown[]) => unknown>;
for (const name of Object.keys(calls) as Counted[]) {
  const original = denoApi[name].bind(Deno);
  denoApi[name] = (...args: unknown[]) => {
    calls[name]++;
    return original(...args);
  };
}

function expectCalls(what: string, expected: Record<Counted, number>): void {
  for (const name of Object.keys(calls) as Counted[]) {
    if (calls[name] !== expected[name]) {
      throw new Error(
        `${what}: Deno.${name} called ${calls[name]} times, expected ${expected[name]} (was the default transport the Deno one?)`,
      );
    }
    calls[name] = 0;
  }
}

const ca = env("SMTP_PEER_CA_PEM");
let explicitTransports = 0;
const cases = [
  { label: "STARTTLS, default transport", secure: false, explicit: false },
  { label: "implicit TLS, default transport", secure: true, explicit: false },
  { label: "implicit TLS, transport from npm:@smtp/transport-deno", secure: true, explicit: true },
];
for (const { label, secure, explicit } of cases) {
  const connect = denoConnector({ tls: { ca } });
  const client = createClient({
    host: env("SMTP_PEER_HOST"),
    port: Number(env(secure ? "SMTP_PEER_SMTPS_PORT" : "SMTP_PEER_STARTTLS_PORT")),
    ...(secure ? { secure: true } : { starttls: "required" as const }),
    tls: { ca },
    auth: { user: env("SMTP_PEER_USER"), pass: env("SMTP_PEER_PASS") },
    ...(explicit
      ? {
          transport: async (...args: Parameters<typeof connect>) => {
            const transport = await connect(...args);
            if (!(transport instanceof DenoTransport)) throw new Error("not a DenoTransport");
            explicitTransports++;
            return transport;
          },
        }
      : {}),
  });
  try {
    const info = await client.send({
      from: env("SMTP_PEER_USER"),
      to: "rcpt@example.test",
      subject: `npm:@smtp/client on Deno (${label})`,
      text: "Sent by the npm build on Deno.\n",
      headers: { "X-Test-Run": env("SMTP_PEER_RUN_ID") },
    });
    console.log(`npm:@smtp/client on Deno, ${label}: ${info.response}`);
  } finally {
    await client.close();
  }
  expectCalls(
    label,
    secure
      ? { connect: 0, connectTls: 1, startTls: 0 }
      : { connect: 1, connectTls: 0, startTls: 1 },
  );
}
if (explicitTransports !== 1)
  throw new Error(`the explicit transport ran ${explicitTransports} times`);
