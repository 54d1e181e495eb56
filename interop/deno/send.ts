/**
 * The interop matrix's Deno path: @smtp/client on Deno (so with @smtp/transport-deno) sends
 * the messages the Node runner asks for and reports each outcome and the transcript as JSON
 * on stdout; the runner then checks the server's store. Input on stdin:
 * `{ "sends": [{ "options": ClientOptions (no transcript), "message": MessageInput }] }`.
 *
 *   deno run --conditions=source --allow-net=127.0.0.1 --allow-sys=hostname interop/deno/send.ts
 */
import {
  type ClientOptions,
  createClient,
  type MessageInput,
  SmtpError,
} from "../../packages/client/src/index.ts";

interface Plan {
  sends: { options: ClientOptions; message: MessageInput }[];
}

const plan = JSON.parse(await new Response(Deno.stdin.readable).text()) as Plan;
const transcript: { send: number; direction: string; text: string }[] = [];
const results: unknown[] = [];
for (const [send, { options, message }] of plan.sends.entries()) {
  const client = createClient({
    ...options,
    transcript: (entry) => transcript.push({ send, direction: entry.direction, text: entry.text }),
  });
  try {
    const info = await client.send(message);
    results.push({ ok: true, accepted: info.accepted, response: info.response });
  } catch (error) {
    results.push({
      ok: false,
      error:
        error instanceof SmtpError
          ? { kind: error.kind, code: error.code, response: error.response, message: error.message }
          : { message: String(error) },
    });
  } finally {
    await client.close();
  }
}
console.log(JSON.stringify({ runtime: `Deno ${Deno.version.deno}`, results, transcript }));
