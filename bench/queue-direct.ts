// One process sending with @smtp/client directly (pool of POOL_CONNECTIONS, IN_FLIGHT sends
// at once): the baseline of bench/queue.ts. Reports its wall time over IPC.
import { createClient } from "../packages/client/src/index.ts";

const env = process.env;
const n = Number(env.MESSAGES);
const inFlight = Number(env.IN_FLIGHT ?? 20);
const client = createClient({
  host: "127.0.0.1",
  port: Number(env.SMTP_PORT),
  starttls: "never",
  name: "direct.example.test",
  pool: { maxConnections: Number(env.POOL_CONNECTIONS ?? 5) },
});
let next = 0;
const started = performance.now();
async function lane(): Promise<void> {
  while (next < n) {
    const i = next++;
    await client.send({
      from: "bulk@example.test",
      to: `r${i % 500}@example.test`,
      subject: `direct #${i}`,
      text: `Message ${i} of ${n}.\nSent by @smtp/client.`,
      messageId: `<${env.RUN}-${i}@example.test>`,
    });
  }
}
await Promise.all(Array.from({ length: inFlight }, lane));
const seconds = (performance.now() - started) / 1000;
await client.close();
process.send?.({ seconds });
