// When the driver reports a result: after the bytes that the same server reply made ready
// have been handed to the transport (so that the owner's continuation, often the next
// send() building its message, runs while the server works, not before the write), and
// never later than a wait of its own (a body stream that takes its time).
import { type JobId, Session } from "@smtp/core";
import { memoryTransportPair } from "@smtp/core/transport-kit";
import { describe, expect, it } from "vitest";
import { type DriveHooks, Driver } from "../src/drive.ts";
import { PipelinedInput } from "./pipelined-input.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * A PIPELINING server over the in-memory pair that answers everything one read brings in
 * one write: the client's end of data, RSET, MAIL, RCPT and DATA come back together. With
 * `chunking` it offers CHUNKING, and holds the replies to the first message until the
 * second one's last chunk is in: both messages' results then arrive in one read.
 */
async function serve(
  end: ReturnType<typeof memoryTransportPair>["server"],
  chunking: boolean,
): Promise<void> {
  await end.write(enc.encode("220 mx.example ESMTP\r\n"));
  const input = new PipelinedInput();
  /** Messages whose last BDAT chunk came in; the first one's replies wait for the second. */
  let lastChunks = 0;
  let replies = "";
  for (let chunk = await end.read(); chunk !== null; chunk = await end.read()) {
    input.push(dec.decode(chunk));
    for (let piece = input.next(); piece !== undefined; piece = input.next()) {
      if (piece.kind === "bdat") {
        replies += "250 2.0.0 chunk taken\r\n";
        if (piece.last) lastChunks++;
      } else if (piece.kind === "message") replies += "250 2.0.0 queued\r\n";
      else if (piece.line.startsWith("EHLO"))
        replies += `250-mx.example\r\n${chunking ? "250-CHUNKING\r\n" : ""}250 PIPELINING\r\n`;
      else if (piece.line === "DATA") replies += "354 go on\r\n";
      else if (piece.line === "QUIT") replies += "221 bye\r\n";
      else replies += "250 ok\r\n";
    }
    if (replies !== "" && lastChunks !== 1) {
      await end.write(enc.encode(replies));
      replies = "";
    }
  }
  await end.close();
}

/**
 * Runs two messages on one connection; `events` records writes (by the subject they carry)
 * and results. `onResult` runs first in the result hook (it may throw).
 */
function run(
  hooks: Pick<DriveHooks, "body" | "bodyBytes">,
  options: { chunking?: boolean; onResult?: (id: JobId) => void } = {},
) {
  const { client, server } = memoryTransportPair();
  serve(server, options.chunking === true).catch(() => {}); // reset when the client fails
  const events: string[] = [];
  const write = client.write.bind(client);
  client.write = (bytes: Uint8Array) => {
    const subjects = [...dec.decode(bytes).matchAll(/Subject: (\w+)/g)].map((m) => m[1]);
    const what = subjects.join(" ") || "commands";
    events.push(`write ${what}`);
    const writing = write(bytes);
    // When the transport says the bytes may be reused: the write's end.
    writing.then(
      () => events.push(`written ${what}`),
      () => {},
    );
    return writing;
  };
  const session = new Session({
    ehloName: "client.example.test",
    servername: "mx.example",
    starttls: "never",
  });
  const results = new Map<JobId, boolean>();
  let reported!: () => void;
  const firstResult = new Promise<void>((resolve) => {
    reported = resolve;
  });
  const driver = new Driver(
    session,
    client,
    {
      ready: () => {},
      ...hooks,
      result: (id, result) => {
        events.push(`result ${id}`);
        results.set(id, result.ok);
        options.onResult?.(id);
        reported();
        if (results.size === 2) {
          session.quit(Date.now());
          driver.wake();
        }
      },
    },
    { now: () => Date.now() },
  );
  session.connected(Date.now());
  const job = { from: "a@example.test", to: ["b@example.test"] };
  const one = session.send(job, Date.now());
  const two = session.send(job, Date.now());
  return { events, results, firstResult, info: driver.run(), ids: [one, two] as const, client };
}

const message = (id: JobId) => enc.encode(`Subject: m${id}\r\n\r\nhello\r\n`);

describe("when the driver reports a result", () => {
  it("after the write of the next message's body that came ready with it", async () => {
    const { events, results, info } = run({
      body: async function* () {},
      bodyBytes: message,
    });
    expect(await info).toMatchObject({ reason: "quit" });
    expect([...results.values()]).toEqual([true, true]);
    // One server reply brought message 1's 250 and message 2's 354: message 2's body is
    // handed to the transport first, then message 1 is reported, while that write is out.
    const written2 = events.indexOf("write m2");
    expect(written2).toBeGreaterThan(-1);
    expect(events.indexOf("result 1")).toBe(written2 + 1);
    expect(events.indexOf("written m2")).toBeGreaterThan(written2 + 1);
    expect(events.indexOf("result 2")).toBeGreaterThan(written2);
  });

  it("before a body stream of the next message is read, which may take its time", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { events, results, firstResult, info } = run({
      body: (id) =>
        (async function* () {
          if (id === 2) await held;
          yield message(id);
        })(),
    });
    // Message 2's stream gives nothing yet; message 1's result is not held for it.
    await firstResult;
    expect(events.filter((e) => e.startsWith("result"))).toEqual(["result 1"]);
    expect(events).not.toContain("write m2");
    release();
    expect(await info).toMatchObject({ reason: "quit" });
    expect([...results.values()]).toEqual([true, true]);
  });

  it("all of them when one hook throws: the rest are reported, then the connection fails", async () => {
    // CHUNKING: both messages are in flight, and one server write answers both.
    const { events, results, info } = run(
      { body: async function* () {}, bodyBytes: message },
      {
        chunking: true,
        onResult: (id) => {
          if (id === 1) throw new Error("the owner's hook failed");
        },
      },
    );
    const closed = await info;
    expect(closed.reason).toBe("error");
    expect(events.filter((e) => e.startsWith("result"))).toEqual(["result 1", "result 2"]);
    // Both were delivered before the failure: their own results, not the connection's.
    expect([...results.values()]).toEqual([true, true]);
  });

  it("a hook that throws while a write is out fails the connection, and nothing goes unhandled", async () => {
    // DATA: message 1's result is reported right after message 2's body was handed over.
    const { events, results, info } = run(
      { body: async function* () {}, bodyBytes: message },
      {
        onResult: (id) => {
          if (id === 1) throw new Error("the owner's hook failed");
        },
      },
    );
    const closed = await info;
    expect(closed.reason).toBe("error");
    expect(events.indexOf("result 1")).toBe(events.indexOf("write m2") + 1);
    // Message 2's data went out, unanswered: a failure that says it may have been delivered.
    expect(results.get(1)).toBe(true);
    expect(results.get(2)).toBe(false);
  });
});
