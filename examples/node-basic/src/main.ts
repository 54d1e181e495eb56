/**
 * The smallest useful program: one text message, then close.
 *
 *   pnpm --filter @smtp-examples/node-basic start
 */
import { createClient, SmtpError } from "@smtp/client";
import { target } from "@smtp-examples/shared";

const { options, from, to, stop } = await target();
const client = createClient(options);
try {
  const info = await client.send({
    from,
    to,
    subject: "Hello from @smtp",
    text: "It works.\n",
  });
  console.log(`sent ${info.messageId} to ${info.accepted.join(", ")}: ${info.response}`);
  for (const r of info.rejected) console.log(`refused ${r.address}: ${r.code} ${r.message}`);
} catch (error) {
  if (error instanceof SmtpError) {
    console.error(
      `not sent (${error.kind}${error.code ? ` ${error.code}` : ""}): ${error.message}`,
    );
    process.exitCode = 1;
  } else throw error;
} finally {
  await client.close();
  await stop();
}
