// Benchmark (run by hand, prints figures; not a test): how long `verify()` and one unpooled
// `send()` take against a real server, with the client's half-close after QUIT and without
// it (the transport's `closeWrite` hidden, as before it existed). Exim holds its 221 until
// the client has closed its side, for up to 200 ms; the other peers answer at once.
//
//   pnpm build && bash interop/peers/setup.sh
//   node --import tsx bench/quit-latency.ts [exim|postfix|opensmtpd|haraka|smtp-server] [rounds]
//
// Plaintext on the peer's port (its STARTTLS is not used), to a recipient Exim drops
// (`@discard.test`) or, elsewhere, the peers' sink mailbox.
import { join } from "node:path";
import { readEnvFile, requiredNumber } from "../interop/src/env-file.ts";
import { nodeConnector } from "../packages/transport-node/dist/index.js";
import { loadClientModule } from "./smtp-modules.ts";

const PORTS: Record<string, { file: string; key: string }> = {
  exim: { file: "interop/exim/env", key: "EXIM_PORT" },
  postfix: { file: "env", key: "SMTP_PLAIN_PORT" },
  opensmtpd: { file: "interop/opensmtpd/env", key: "OSMTPD_PORT" },
  haraka: { file: "interop/haraka/env", key: "HARAKA_PORT" },
  "smtp-server": { file: "interop/smtp-server/env", key: "SMTPSERVER_PORT" },
};

const server = process.argv[2] ?? "exim";
const rounds = Number(process.argv[3] ?? 9);
const where = PORTS[server];
if (!where) throw new Error(`unknown server ${server} (one of ${Object.keys(PORTS).join(", ")})`);
const state = process.env.SMTP_STATE ?? "/var/lib/smtp-test-peer";
const env = await readEnvFile(join(state, where.file));
if (!env) throw new Error(`${server} is not set up: run bash interop/peers/setup.sh`);
const port = requiredNumber(env, where.key);
const to = server === "exim" ? "bench@discard.test" : "sink@example.test";

const { createClient } = await loadClientModule();
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

async function measure(halfClose: boolean): Promise<{ verify: number; send: number }> {
  const connect = nodeConnector();
  const client = createClient({
    host: "127.0.0.1",
    port,
    starttls: "never",
    transport: async (target, signal) => {
      const transport = await connect(target, signal);
      if (!halfClose) Object.defineProperty(transport, "closeWrite", { value: undefined });
      return transport;
    },
  });
  const verify: number[] = [];
  const send: number[] = [];
  for (let i = 0; i < rounds; i++) {
    let started = performance.now();
    await client.verify();
    verify.push(performance.now() - started);
    started = performance.now();
    await client.send({ from: "bench@example.test", to, subject: `quit ${i}`, text: "t\n" });
    send.push(performance.now() - started);
  }
  await client.close();
  return { verify: median(verify), send: median(send) };
}

for (const halfClose of [false, true]) {
  const { verify, send } = await measure(halfClose);
  console.log(
    `${server}, ${halfClose ? "half-close after QUIT" : "no half-close        "}: ` +
      `verify() ${verify.toFixed(1)} ms, one unpooled send ${send.toFixed(1)} ms ` +
      `(medians of ${rounds})`,
  );
}
