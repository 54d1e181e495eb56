/**
 * The verifiers for suites that run outside Node (`deno test`): reads
 * `{ "message": base64, "keys": {…}, "now"?: ISO date }` as JSON on stdin and prints the
 * {@link Verdicts} as JSON. Run: `node --import tsx tools/dkim-verify/src/cli.ts`.
 */
import { verifyDkim } from "./index.ts";

let input = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) input += chunk;
const request = JSON.parse(input) as {
  message: string;
  keys: Record<string, string>;
  now?: string;
};
const verdicts = await verifyDkim(Buffer.from(request.message, "base64"), request.keys, {
  ...(request.now === undefined ? {} : { now: new Date(request.now) }),
});
process.stdout.write(JSON.stringify(verdicts));
