// Run by ../deno-hostname-prompt.test.ts with `deno run` under a terminal (script(1)) and
// without --allow-sys: @smtp/client must not ask for the hostname permission (Deno would
// prompt and wait for an answer), and says EHLO with the local address literal instead.
// Usage: deno run --conditions=source --allow-net=127.0.0.1 send-without-sys.ts <port>
import { createClient } from "../../src/index.ts";

const port = Number(Deno.args[0]);
const lines: string[] = [];
const client = createClient({
  host: "127.0.0.1",
  port,
  transcript: (entry) => lines.push(`${entry.direction}: ${entry.text}`),
});
await client.verify();
await client.close();
const ehlo = lines.find((line) => line.startsWith("C: EHLO "));
console.log(`RESULT ${ehlo}`);
