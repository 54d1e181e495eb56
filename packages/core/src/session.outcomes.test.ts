import { describe, expect, it } from "vitest";
import { fieldsOf } from "./errors.test-util.ts";
import type { SmtpError } from "./errors.ts";
import { enc, Harness, ready } from "./session.test-util.ts";
import type { SendResult, SessionOptions } from "./session-types.ts";

// What each transaction outcome reports, exactly, and what it leaves on the wire: the
// deadline and command of whatever is awaited, the next command, the transcript.

const TIMEOUTS = { greeting: 10, command: 20, dataStart: 30, dataBlock: 40, dataEnd: 50, quit: 60 };
const CHUNKING = "250-mx\n250-PIPELINING\n250 CHUNKING\n";

/** An LMTP session with PIPELINING, ready. */
function lmtp(options: Partial<SessionOptions> = {}): Harness {
  const h = new Harness({ lmtp: true, ...options }).connect();
  h.server("220 lmtp\n");
  expect(h.client()).toBe("LHLO client.example\r\n");
  h.server("250-lmtp\n250 PIPELINING\n");
  expect(h.drain().map((a) => a.type)).toEqual(["ready"]);
  return h;
}

function failed(result: SendResult) {
  if (result.ok) throw new Error("expected a failure");
  return result;
}

function errorOf(h: Harness, id: number): SmtpError {
  return failed(h.result(id)).error;
}

/** What the next deadline waits for: after how long, and the timeout error it raises. */
function awaiting(h: Harness): { after: number; error: Record<string, unknown> } {
  const deadline = h.session.pollTimeout();
  if (deadline === null) throw new Error("no deadline");
  h.session.handleTimeout(deadline);
  const close = h.closeAction();
  if (close?.type !== "close" || close.error === undefined) throw new Error("no timeout close");
  return { after: deadline - h.now, error: fieldsOf(close.error) };
}

const timedOut = (phase: string, command: string) => ({
  kind: "timeout",
  message: `no answer from the server in the ${phase} phase`,
  phase,
  command,
  retryable: true,
});

describe("what is awaited after each transaction step", () => {
  it("RCPT after its MAIL reply: the command deadline", () => {
    const h = ready({ timeouts: TIMEOUTS });
    h.send();
    h.server("250 ok\n");
    expect(awaiting(h)).toEqual({ after: 20, error: timedOut("command", "RCPT TO") });
  });

  it("pipelined DATA after the envelope replies: the data-start deadline", () => {
    const h = ready({ timeouts: TIMEOUTS });
    h.send();
    h.server("250 ok\n250 ok\n");
    expect(awaiting(h)).toEqual({ after: 30, error: timedOut("data-start", "DATA") });
  });

  it("RSET after a refused sender without PIPELINING: the command deadline", () => {
    const h = ready({ timeouts: TIMEOUTS }, "250 mx\n");
    h.send();
    h.server("550 5.7.1 go away\n");
    expect(h.client()).toBe("MAIL FROM:<a@example.org>\r\nRSET\r\n");
    expect(awaiting(h)).toEqual({ after: 20, error: timedOut("command", "RSET") });
  });

  it("a non-LAST BDAT chunk after the body ends: the data-block deadline", () => {
    const h = ready({ timeouts: TIMEOUTS }, CHUNKING);
    const id = h.send();
    h.drain();
    h.session.bodyChunk(id, enc.encode(`${"x".repeat(65534)}\r\n`), h.now);
    h.session.bodyEnd(id, h.now);
    h.server("250 ok\n250 ok\n");
    expect(awaiting(h)).toEqual({ after: 40, error: timedOut("data-block", "BDAT") });
  });

  it("the empty end of a message with no recipient: the data-end deadline, RSET after it", () => {
    const h = ready({ timeouts: TIMEOUTS });
    const id = h.send();
    h.client();
    h.server("250 ok\n550 5.1.1 no\n354 go\n");
    expect(h.client()).toBe(".\r\n");
    expect(h.transcript.slice(-1)).toEqual([{ direction: "C", text: "." }]);
    const copy = ready({ timeouts: TIMEOUTS });
    copy.send();
    copy.server("250 ok\n550 5.1.1 no\n354 go\n");
    expect(awaiting(copy)).toEqual({ after: 50, error: timedOut("data-end", "DATA") });
    h.server("554 5.5.1 no valid recipients\n");
    expect(h.client()).toBe("RSET\r\n");
    expect(fieldsOf(errorOf(h, id))).toMatchObject({
      message: "the server refused every recipient (1)",
      code: 550,
    });
  });

  it("LMTP: the replies after the first answer the data end too", () => {
    const h = lmtp({ timeouts: TIMEOUTS });
    const id = h.send({ to: ["r1@x.example", "r2@x.example"] });
    h.server("250 ok\n250 ok\n250 ok\n354 go\n");
    h.drain();
    h.body(id, "b\r\n");
    h.server("250 2.0.0 r1 done\n");
    expect(awaiting(h)).toEqual({ after: 50, error: timedOut("data-end", "DATA") });
  });
  it("RSET starting a message sent again after a refused speculation: the command deadline", () => {
    const h = ready({ timeouts: TIMEOUTS });
    const a = h.send();
    h.server("250 ok\n250 ok\n354 go\n");
    h.drain();
    h.body(a, "one\r\n");
    h.send({ to: ["c@example.net"] });
    h.client();
    h.server(`250 queued 1\n${"503 5.5.1 pipelined after end of DATA\n".repeat(4)}`);
    expect(h.client()).toBe(
      "RSET\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<c@example.net>\r\nDATA\r\n",
    );
    expect(awaiting(h)).toEqual({ after: 20, error: timedOut("command", "RSET") });
  });
});

describe("the transcript", () => {
  it("DATA: the dot and the end of the body are recorded", () => {
    const h = ready();
    const id = h.send();
    h.server("250 ok\n250 ok\n354 go\n");
    h.drain();
    h.body(id, "hello\r\n");
    expect(h.transcript.slice(-2)).toEqual([
      { direction: "C", text: "." },
      { direction: "*", text: "end of message body" },
    ]);
  });
});

describe("exact outcomes", () => {
  it("a refused sender: the MAIL reply in the error", () => {
    const h = ready();
    const id = h.send();
    h.server("553 5.7.1 sender refused\n503 5.5.1 no sender\n503 5.5.1 no sender\n");
    expect(fieldsOf(errorOf(h, id))).toEqual({
      kind: "rejected",
      message: "the server refused the sender",
      command: "MAIL FROM",
      code: 553,
      enhancedCode: "5.7.1",
      response: "sender refused",
      retryable: false,
    });
  });

  it("requireAllRecipients and a refused sender: one RSET, after every RCPT reply", () => {
    const h = ready();
    const id = h.send({ to: ["b@example.net", "c@example.net"], requireAllRecipients: true });
    h.client();
    h.server("553 5.7.1 sender refused\n503 5.5.1 no sender\n");
    expect(h.client()).toBe("");
    expect(h.drain()).toEqual([]);
    h.server("503 5.5.1 no sender\n");
    expect(h.client()).toBe("RSET\r\n");
    expect(errorOf(h, id).message).toBe("the server refused the sender");
    h.server("250 reset\n");
    expect(h.session.idle).toBe(true);
  });

  it("requireAllRecipients: a recipient deferred by the server's limit fails the job too", () => {
    const h = ready();
    const id = h.send({ to: ["b@example.net", "c@example.net"], requireAllRecipients: true });
    h.client();
    h.server("250 ok\n250 ok\n452 4.5.3 too many recipients\n");
    expect(h.client()).toBe("RSET\r\n");
    expect(fieldsOf(errorOf(h, id))).toEqual({
      kind: "rejected",
      message: "the server refused some recipients and requireAllRecipients is set",
      command: "RCPT TO",
      rejected: [],
      retryable: false,
    });
  });

  it("requireAllRecipients with BDAT: the body is asked for once every recipient is accepted", () => {
    const h = ready({}, CHUNKING);
    const id = h.send({ requireAllRecipients: true });
    expect(h.client()).toBe("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\n");
    expect(h.drain()).toEqual([]);
    h.server("250 ok\n250 ok\n");
    expect(h.drain()).toEqual([{ type: "need-body", id }]);
    h.body(id, "x\r\n");
    expect(h.client()).toBe("BDAT 3 LAST\r\nx\r\n");
    h.server("250 queued\n");
    expect(h.result(id).ok).toBe(true);
  });

  it("DATA refused after accepted recipients: the DATA reply, exactly", () => {
    const h = ready();
    const id = h.send();
    h.server("250 ok\n250 ok\n451 4.3.0 try later\n");
    expect(fieldsOf(errorOf(h, id))).toEqual({
      kind: "rejected",
      message: "the server refused DATA",
      command: "DATA",
      code: 451,
      enhancedCode: "4.3.0",
      response: "try later",
      retryable: true,
    });
  });

  it("LMTP: every recipient refused at the end, exactly", () => {
    const h = lmtp();
    const id = h.send();
    h.server("250 ok\n250 ok\n354 go\n");
    h.drain();
    h.body(id, "b\r\n");
    h.server("550 5.2.1 mailbox disabled\n");
    expect(fieldsOf(errorOf(h, id))).toEqual({
      kind: "rejected",
      message: "the server refused the message for every recipient",
      command: "DATA",
      code: 550,
      enhancedCode: "5.2.1",
      response: "mailbox disabled",
      rejected: [
        { address: "b@example.net", code: 550, enhancedCode: "5.2.1", message: "mailbox disabled" },
      ],
      retryable: false,
    });
  });

  it("a later part refused at DATA: its own refusals once, the rest with the DATA reply", () => {
    const h = ready();
    const id = h.send({ to: ["r1@x.example", "r2@x.example", "r3@x.example"] });
    h.server(
      "250 ok\n250 ok\n452 4.5.3 too many recipients\n452 4.5.3 too many recipients\n354 go\n",
    );
    h.drain();
    h.body(id, "b\r\n");
    h.client();
    h.server("250 queued 1\n");
    expect(h.client()).toBe(
      "MAIL FROM:<a@example.org>\r\nRCPT TO:<r2@x.example>\r\nRCPT TO:<r3@x.example>\r\nDATA\r\n",
    );
    h.server("250 ok\n550 5.1.1 no r2\n250 ok\n554 5.7.1 no data\n");
    expect(h.result(id)).toEqual({
      ok: true,
      accepted: ["r1@x.example"],
      rejected: [
        { address: "r2@x.example", code: 550, enhancedCode: "5.1.1", message: "no r2" },
        { address: "r3@x.example", code: 554, enhancedCode: "5.7.1", message: "no data" },
      ],
      reply: { code: 250, lines: ["queued 1"] },
    });
  });
});

describe("jobs and the body", () => {
  it("job ids count up from 1", () => {
    const h = ready();
    expect([h.send(), h.send(), h.send()]).toEqual([1, 2, 3]);
  });

  it("a body for another job than the one asked for is a caller error", () => {
    const h = ready();
    const a = h.send();
    const b = h.send();
    h.server("250 ok\n250 ok\n354 go\n");
    expect(h.drain()).toEqual([{ type: "need-body", id: a }]);
    let thrown: unknown;
    try {
      h.session.bodyChunk(b, enc.encode("x"), h.now);
    } catch (error) {
      thrown = error;
    }
    expect(fieldsOf(thrown as SmtpError)).toEqual({
      kind: "invalid-input",
      message: `no need-body action is open for job ${b}`,
      detail: "out-of-sequence",
      retryable: false,
    });
  });

  it("an empty chunk is no progress: the body deadline stays", () => {
    const h = ready({ timeouts: TIMEOUTS });
    const id = h.send();
    h.server("250 ok\n250 ok\n354 go\n");
    h.drain();
    const deadline = h.session.pollTimeout();
    expect(deadline).toBe(h.now + 40);
    h.session.bodyChunk(id, new Uint8Array(0), h.now + 30);
    expect(h.session.pollTimeout()).toBe(deadline);
    h.session.bodyChunk(id, enc.encode("x"), h.now + 30);
    expect(h.session.pollTimeout()).toBe(h.now + 70);
  });

  it("a lone CR held by the encoder is not data sent", () => {
    const h = ready();
    const id = h.send();
    h.server("250 ok\n250 ok\n354 go\n");
    h.drain();
    h.session.bodyChunk(id, enc.encode("\r"), h.now);
    expect(h.client()).toBe("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n");
    h.session.receiveEof(h.now);
    expect(failed(h.result(id)).dataSent).toBe(false);
  });

  it("after QUIT went out, a body chunk or a send does nothing but fail the new job", () => {
    const h = ready();
    h.session.quit(h.now);
    expect(h.client()).toBe("QUIT\r\n");
    expect(() => h.session.bodyChunk(1, enc.encode("x"), h.now)).not.toThrow();
    expect(() => h.session.bodyEnd(1, h.now)).not.toThrow();
    const id = h.send();
    expect(h.client()).toBe("");
    expect(fieldsOf(errorOf(h, id))).toEqual({
      kind: "connection",
      message: "the session is closed",
      retryable: true,
    });
  });
});

describe("pipelining", () => {
  it("a second message waits for the first one's end of data", () => {
    const h = ready();
    const a = h.send();
    const b = h.send({ to: ["c@example.net"] });
    expect(h.client()).toBe("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n");
    h.server("250 ok\n250 ok\n354 go\n");
    expect(h.drain()).toEqual([{ type: "need-body", id: a }]);
    expect(h.client()).toBe("");
    h.body(a, "one\r\n");
    expect(h.client()).toBe(
      "one\r\n.\r\nRSET\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<c@example.net>\r\nDATA\r\n",
    );
    void b;
  });

  it("the empty end of a refused message lets the next one follow at once", () => {
    const h = ready();
    const a = h.send();
    h.server("250 ok\n550 5.1.1 no\n354 go\n");
    h.client();
    const b = h.send({ to: ["c@example.net"] });
    expect(h.client()).toBe(
      "RSET\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<c@example.net>\r\nDATA\r\n",
    );
    h.server("554 5.5.1 no valid recipients\n250 reset\n250 ok\n250 ok\n354 go\n");
    expect(h.drain().map((x) => [x.type, "id" in x ? x.id : undefined])).toEqual([
      ["result", a],
      ["need-body", b],
    ]);
    expect(failed(h.result(a)).error.code).toBe(550);
  });

  it("BDAT: a delivered message does not close the body of the one behind it", () => {
    const h = ready({}, CHUNKING);
    const a = h.send();
    const b = h.send({ to: ["c@example.net"] });
    h.drain();
    h.body(a, "one\r\n");
    expect(h.drain()).toEqual([{ type: "need-body", id: b }]);
    h.server("250 ok\n250 ok\n250 queued 1\n");
    expect(h.result(a).ok).toBe(true);
    h.body(b, "two\r\n");
    h.server("250 reset\n250 ok\n250 ok\n250 queued 2\n");
    expect(h.result(b)).toMatchObject({ ok: true, accepted: ["c@example.net"] });
  });

  it("two speculations refused: recorded once, as an event", () => {
    const h = ready({}, CHUNKING);
    const ids = [h.send(), h.send({ to: ["c@example.net"] }), h.send({ to: ["d@example.net"] })];
    for (const id of ids) {
      h.drain();
      h.body(id, "m\r\n");
    }
    const refused = "250 reset\n503 no\n503 no\n503 no\n";
    h.server(`250 ok\n250 ok\n250 queued\n${refused}${refused}`);
    const events = h.transcript.filter((e) => e.text.includes("refused pipelining"));
    expect(events).toEqual([
      {
        direction: "*",
        text: "the server refused pipelining behind the end of data: one message at a time from now on",
      },
    ]);
  });
});
