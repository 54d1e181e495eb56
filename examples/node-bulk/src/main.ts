/**
 * Many messages through a connection pool, with a progress line. The pool keeps a few
 * connections open, pipelines messages on each, and replaces connections as they are
 * recycled (`maxMessages`) or dropped by the server.
 *
 *   pnpm --filter @smtp-examples/node-bulk start            # 200 messages
 *   COUNT=1000 pnpm --filter @smtp-examples/node-bulk start
 */
import { createClient, SmtpError } from "@smtp/client";
import { target } from "@smtp-examples/shared";

const count = Number(process.env.COUNT ?? 200);
const { options, from, to, stop } = await target();
const client = createClient({
  ...options,
  pool: { maxConnections: 4, maxMessages: 50, idleTimeout: 2_000 },
});

let sent = 0;
let failed = 0;
const started = performance.now();
const progress = () => {
  const line = `sent ${sent}/${count}, failed ${failed}`;
  if (process.stdout.isTTY) process.stdout.write(`\r${line}`);
  else if ((sent + failed) % 50 === 0 || sent + failed === count) console.log(line);
};

try {
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      try {
        await client.send({
          from,
          to,
          subject: `Bulk message ${i + 1} of ${count}`,
          text: `This is message number ${i + 1}.\n`,
        });
        sent++;
      } catch (error) {
        failed++;
        if (!(error instanceof SmtpError)) throw error;
        console.error(`\nmessage ${i + 1}: ${error.kind}: ${error.message}`);
      }
      progress();
    }),
  );
} finally {
  await client.close();
  await stop();
}
const seconds = (performance.now() - started) / 1000;
if (process.stdout.isTTY) process.stdout.write("\n");
console.log(`done: ${sent} sent, ${failed} failed in ${seconds.toFixed(2)} s`);
if (failed > 0) process.exitCode = 1;
