// The producer: queues COUNT newsletter messages and exits. Bad messages fail here, at
// enqueue time, not in a worker hours later.
import { SmtpError } from "@smtp/client";
import { createMailQueue } from "@smtp/queue";
import { QUEUE_NAME, redisUrl } from "./config.ts";

const count = Number(process.env.COUNT ?? 100);
const from = process.env.MAIL_FROM ?? "newsletter@example.test";
const to = process.env.MAIL_TO ?? "reader@example.test";
const [local, domain] = to.split("@") as [string, string];

const queue = createMailQueue({ connection: redisUrl(), name: QUEUE_NAME });
try {
  const ids = await queue.enqueueMany(
    Array.from({ length: count }, (_, i) => ({
      message: {
        from: { name: "The Newsletter", address: from },
        // reader+7@example.test: one address per subscriber, all in one test mailbox.
        to: `${local}+${i}@${domain}`,
        subject: `Issue #42, for subscriber ${i}`,
        text: `Hello subscriber ${i},\n\nthis week's news.\n`,
        html: `<p>Hello subscriber ${i},</p><p>this week's news.</p>`,
        headers: { "List-Unsubscribe": `<mailto:unsubscribe+${i}@example.test>` },
      },
      // A stable job id makes enqueueing idempotent: running the producer twice sends nothing twice.
      options: { jobId: `issue-42-subscriber-${i}` },
    })),
  );
  console.log(`producer: queued ${ids.length} messages on "${QUEUE_NAME}"`);

  // A bad message is refused at once, in the producer:
  try {
    await queue.enqueue({ from, to: "not an address", text: "x" });
  } catch (error) {
    if (!(error instanceof SmtpError)) throw error;
    console.log(`producer: refused a bad message: ${error.kind}: ${error.message}`);
  }
} finally {
  await queue.close();
}
