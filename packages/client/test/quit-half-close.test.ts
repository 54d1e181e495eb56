import { createClient } from "@smtp/client";
import { afterEach, describe, expect, it } from "vitest";
import { startScriptedServer } from "./helpers.ts";

let server: { port: number; close(): Promise<void> } | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/**
 * A server that, like Exim 4.96, answers QUIT only once the client has ended its side of
 * the connection (Exim holds its 221 for up to 200 ms; this one for good). `seen` gets each
 * command line and "(end)" when the client's side ends.
 */
function holdsQuitUntilEnd(seen: string[]) {
  let quit = false;
  return startScriptedServer(
    (line) => {
      seen.push(line);
      if (/^EHLO /i.test(line)) return "250-held.example.test\r\n250 PIPELINING";
      if (/^(MAIL|RCPT) /i.test(line)) return "250 ok";
      if (line === "DATA") return "354 go";
      if (line === ".") return "250 queued";
      if (line === "QUIT") quit = true;
      return undefined;
    },
    "220 held.example.test ESMTP",
    (socket) => {
      seen.push("(end)");
      if (quit) socket.end("221 bye\r\n");
    },
  );
}

/** Such a server, and an unpooled client of it whose transcript lines are kept. */
async function clientOfHeldServer() {
  const seen: string[] = [];
  server = await holdsQuitUntilEnd(seen);
  const lines: string[] = [];
  const client = createClient({
    host: "127.0.0.1",
    port: server.port,
    starttls: "never",
    // QUIT's deadline: a client that waited for the 221 would give up here, without it.
    timeouts: { command: 2_000 },
    transcript: (e) => lines.push(`${e.direction} ${e.text}`),
  });
  return { client, seen, lines };
}

describe("QUIT, then the client's side ends: a server holding its 221 until then answers", () => {
  it("an unpooled send: the 221 comes, the connection closes by QUIT, the send resolves", async () => {
    const { client, seen, lines } = await clientOfHeldServer();
    const result = await client.send({
      from: "a@example.test",
      to: "b@example.test",
      subject: "s",
      text: "t",
    });
    expect(result.accepted).toEqual(["b@example.test"]);
    expect(lines.slice(-2)).toEqual(["C QUIT", "S 221 bye"]);
    expect(seen.slice(-2)).toEqual(["QUIT", "(end)"]);
    await client.close();
  });

  it("verify(): the same", async () => {
    const { client, seen, lines } = await clientOfHeldServer();
    await client.verify();
    expect(lines.slice(-2)).toEqual(["C QUIT", "S 221 bye"]);
    expect(seen).toEqual(["EHLO [127.0.0.1]", "QUIT", "(end)"]);
    await client.close();
  });
});
