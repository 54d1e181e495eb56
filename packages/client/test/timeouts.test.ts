import { createClient, type SmtpError } from "@smtp/client";
import { describe, expect, it } from "vitest";
import { countingConnector, startScriptedServer } from "./helpers.ts";

const message = { from: "a@example.test", to: "b@example.test", subject: "t", text: "x" };

/** Answers like a plain ESMTP server, except that `silentAt` gets no answer at all. */
function server(silentAt: string) {
  return (line: string): string | undefined => {
    const verb = line === "." ? "." : (line.split(/[ :]/)[0] ?? "").toUpperCase();
    if (verb === silentAt) return undefined;
    if (verb === "EHLO") return "250-scripted.example.test\r\n250 8BITMIME";
    if (verb === "MAIL" || verb === "RCPT") return "250 OK";
    if (verb === "DATA") return "354 go ahead";
    if (verb === ".") return "250 queued";
    if (verb === "QUIT") return "221 bye";
    return "500 what";
  };
}

describe("R11 every phase has a timeout (scripted server that falls silent)", () => {
  it.each([
    // Before the session is ready: the connection failed to establish, nothing to retry on.
    ["EHLO", "command", "timeout", 1],
    // Nothing of the message was taken: it is tried on fresh connections, three in all.
    ["MAIL", "command", "timeout", 3],
    ["DATA", "data-start", "timeout", 3],
    // Its end of data went out unanswered: it may have been delivered, so never sent again.
    [".", "data-end", "connection", 1],
  ] as const)(
    "silent after %s: a timeout naming the %s phase",
    async (silentAt, phase, kind, connections) => {
      const peer = await startScriptedServer(server(silentAt));
      try {
        const counting = countingConnector();
        const client = createClient({
          host: "127.0.0.1",
          port: peer.port,
          timeouts: { command: 150, data: 150 },
          transport: counting.connector,
        });
        const error = (await client.send(message).then(
          () => undefined,
          (e: unknown) => e,
        )) as SmtpError;
        expect(error.kind).toBe(kind);
        expect(error.phase).toBe(phase);
        expect(error.detail === "maybe-delivered").toBe(kind === "connection");
        expect(counting.transports).toEqual(
          Array.from({ length: connections }, () => ({ closes: 0, aborts: 1 })),
        );
      } finally {
        await peer.close();
      }
    },
  );

  it("a message body that stops yielding times out in the data-block phase", async () => {
    const peer = await startScriptedServer(server("none"));
    try {
      const counting = countingConnector();
      const client = createClient({
        host: "127.0.0.1",
        port: peer.port,
        timeouts: { command: 2_000, data: 150 },
        transport: counting.connector,
      });
      const stalled = new ReadableStream<Uint8Array>({ pull: () => new Promise<void>(() => {}) });
      const error = (await client
        .send({ ...message, attachments: [{ filename: "never.bin", content: stalled }] })
        .then(
          () => undefined,
          (e: unknown) => e,
        )) as SmtpError;
      expect(error.kind).toBe("timeout");
      expect(error.phase).toBe("data-block");
      expect(counting.transports).toEqual([{ closes: 0, aborts: 1 }]);
    } finally {
      await peer.close();
    }
  });

  it("the scripted server itself works (so the silences above are what time out)", async () => {
    const peer = await startScriptedServer(server("none"));
    try {
      const client = createClient({
        host: "127.0.0.1",
        port: peer.port,
        timeouts: { command: 150 },
      });
      const info = await client.send(message);
      expect(info.response).toBe("250 queued");
    } finally {
      await peer.close();
    }
  });
});
