// Benchmark (run by hand, prints figures; not a test): how long `verify()` and one unpooled
// `send()` take against a real server, with the client's half-close after QUIT and without
// it (the transport's `closeWrite` hidden, as before it existed). Exim holds its 221 until
// the client has closed its side, for up to 200 ms; the other peers answer at once.
//
//   pnpm build && bash interop/peers/setup.sh
//   node --import tsx bench/quit-latency.ts [exim|postfix|opensmtpd|haraka|smtp-server] [rounds]
//
// The peers' settings come from their env files, read as the interop matrix reads them.
//
// Plaintext on the peer's plain port (STARTTLS, if offered, is not used).
import { join } from "node:path";
import { loadServers, SERVER_IDS, type ServerId } from "../interop/src/servers.ts";
import { nodeConnector } from "../packages/transport-node/dist/index.js";
import { loadClientModule } from "./smtp-modules.ts";

const id = (process.argv[2] ?? "exim") as ServerId;
const rounds = Number(process.argv[3] ?? 9);
if (!SERVER_IDS.includes(id))
  throw new Error(`unknown server ${id} (one of ${SERVER_IDS.join(", ")})`);
const smtpState = process.env.SMTP_STATE ?? "/var/lib/smtp-test-peer";
const folders = {
  smtpState,
  interopState: process.env.INTEROP_STATE ?? join(smtpState, "interop"),
};
const [profile] = await loadServers([id], folders);
if (profile === undefined || !("plainPort" in profile)) {
  throw new Error(`${id}: ${profile?.reason ?? "unknown"}; run bash interop/peers/setup.sh`);
}

const port = profile.plainPort;
// Exim drops `@discard.test`; the other peers store what they get in their sink mailbox.
const to = id === "exim" ? "bench@discard.test" : profile.secondMailbox;

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
    `${id}, ${halfClose ? "half-close after QUIT" : "no half-close        "}: ` +
      `verify() ${verify.toFixed(1)} ms, one unpooled send ${send.toFixed(1)} ms ` +
      `(medians of ${rounds})`,
  );
}
