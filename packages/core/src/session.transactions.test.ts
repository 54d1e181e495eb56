import { describe, expect, it } from "vitest";
import { SmtpError } from "./errors.ts";
import { Harness, ready } from "./session.test-util.ts";

function failure(h: Harness, id: number): SmtpError {
  const r = h.result(id);
  if (r.ok) throw new Error("expected a failed result");
  return r.error;
}

const EHLO_FULL =
  "250-mx.example\n250-PIPELINING\n250-SIZE 1000\n250-8BITMIME\n250-SMTPUTF8\n250-DSN\n250 ENHANCEDSTATUSCODES\n";

describe("Session happy path", () => {
  it("pipelines MAIL, RCPT and DATA in one write and delivers", () => {
    const h = ready();
    const id = h.send({ to: ["b@example.net", "c@example.net"], size: 10 });
    expect(h.client()).toBe(
      "MAIL FROM:<a@example.org> SIZE=10\r\nRCPT TO:<b@example.net>\r\nRCPT TO:<c@example.net>\r\nDATA\r\n",
    );
    h.server("250 2.1.0 ok\n250 2.1.5 ok\n550 5.1.1 no such user\n354 go\n");
    expect(h.drain()).toEqual([{ type: "need-body", id }]);
    h.body(id, "Subject: x\n\n.hi\nbye");
    expect(h.client()).toBe("Subject: x\r\n\r\n..hi\r\nbye\r\n.\r\n");
    h.server("250 2.0.0 queued\n");
    const result = h.result(id);
    expect(result).toMatchObject({
      ok: true,
      accepted: ["b@example.net"],
      rejected: [
        { address: "c@example.net", code: 550, enhancedCode: "5.1.1", message: "no such user" },
      ],
      reply: { code: 250, enhancedCode: "2.0.0" },
    });
    expect(h.session.idle).toBe(true);
    expect(h.session.pollTimeout()).toBeNull();
    h.session.quit(h.now);
    expect(h.client()).toBe("QUIT\r\n");
    h.server("221 bye\n");
    expect(h.closeAction()).toEqual({ type: "close", reason: "quit" });
  });

  it("without PIPELINING sends one command at a time", () => {
    const h = ready({}, "250-mx.example\n250 8BITMIME\n");
    const id = h.send({ to: ["b@example.net", "c@example.net"] });
    expect(h.client()).toBe("MAIL FROM:<a@example.org>\r\n");
    h.server("250 ok\n");
    expect(h.client()).toBe("RCPT TO:<b@example.net>\r\n");
    h.server("250 ok\n");
    expect(h.client()).toBe("RCPT TO:<c@example.net>\r\n");
    h.server("250 ok\n");
    expect(h.client()).toBe("DATA\r\n");
    h.server("354 go\n");
    h.body(id, "x");
    expect(h.client()).toBe("x\r\n.\r\n");
    h.server("250 ok\n");
    expect(h.result(id)).toMatchObject({ ok: true, accepted: ["b@example.net", "c@example.net"] });
  });

  it("puts the next envelope right after the end of data: one round trip per message", () => {
    const h = ready();
    const a = h.send();
    const b = h.send({ to: ["c@example.net"] });
    expect(h.client()).toBe("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n");
    expect(h.session.state).toBe("mail");
    h.server("250 ok\n250 ok\n354 go\n");
    expect(h.session.state).toBe("data");
    h.drain();
    h.body(a, "one\r\n");
    // The second envelope is out: "mail" until its replies are in.
    expect(h.session.state).toBe("mail");
    // The outcome of the first is not known yet: the next envelope starts with RSET.
    expect(h.client()).toBe(
      "one\r\n.\r\nRSET\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<c@example.net>\r\nDATA\r\n",
    );
    h.server("250 done\n");
    expect(h.result(a).ok).toBe(true);
    expect(h.session.state).toBe("mail");
    h.server("250 reset\n250 ok\n250 ok\n354 go\n");
    expect(h.drain()).toEqual([{ type: "need-body", id: b }]);
    h.body(b, "two");
    expect(h.session.state).toBe("data");
    h.server("250 done\n");
    expect(h.result(b).ok).toBe(true);
    expect(h.session.state).toBe("ready");
  });

  it("a 503 to the MAIL of a transaction behind no other is a refused sender, not a refused speculation", () => {
    const h = ready();
    const id = h.send();
    h.client();
    h.server("503 5.5.1 authentication required first\n503 no sender\n503 no sender\n");
    expect(failure(h, id)).toMatchObject({ kind: "rejected", code: 503, command: "MAIL FROM" });
    // Not sent again: the failure's RSET only.
    expect(h.client()).toBe("RSET\r\n");
  });
});

describe("Session transactions", () => {
  it("SIZE pre-check: a message over the limit fails before MAIL", () => {
    const h = ready();
    const id = h.send({ size: 5000 });
    expect(h.client()).toBe("");
    expect(failure(h, id)).toMatchObject({ kind: "size", retryable: false });
    expect(h.session.idle).toBe(true);
  });

  it("BODY=8BITMIME, SMTPUTF8 and DSN parameters when offered", () => {
    const h = ready({}, EHLO_FULL);
    h.send({
      from: "ä@example.org",
      to: ["ö@example.net"],
      eightBit: true,
      smtpUtf8: true,
      size: 100,
      dsn: { ret: "HDRS", envid: "QQ314159", notify: ["FAILURE", "DELAY"], orcpt: true },
    });
    expect(h.client()).toBe(
      "MAIL FROM:<ä@example.org> SIZE=100 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=QQ314159\r\n" +
        "RCPT TO:<ö@example.net> NOTIFY=FAILURE,DELAY ORCPT=utf-8;ö@example.net\r\nDATA\r\n",
    );
  });

  it("leaves DSN parameters out when the server lacks DSN", () => {
    const h = ready({}, "250-mx\n250 PIPELINING\n");
    h.send({ size: 3, dsn: { ret: "FULL", notify: "NEVER" } });
    expect(h.client()).toBe("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n");
  });

  it("8-bit body, 8BITMIME not offered: the job fails before MAIL, the session stays usable", () => {
    const h = ready({}, "250-mx\n250 PIPELINING\n");
    const id = h.send({ eightBit: true });
    expect(h.client()).toBe("");
    expect(failure(h, id)).toMatchObject({ kind: "rejected", detail: "8bitmime-unsupported" });
    expect(h.result(id)).toMatchObject({ ok: false, dataSent: false });
    // A 7-bit message on the same session goes out.
    h.send();
    expect(h.client()).toBe("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n");
  });

  it("SMTPUTF8 asked but not offered: the job fails, nothing is sent", () => {
    const h = ready();
    const id = h.send({ from: "ä@example.org", smtpUtf8: true });
    expect(h.client()).toBe("");
    expect(failure(h, id)).toMatchObject({ kind: "rejected", detail: "smtputf8-unsupported" });
  });

  it("R3 send() refuses an option-like address before any byte", () => {
    const h = ready();
    expect(() => h.send({ from: "-Xoption@example.test" })).toThrow(SmtpError);
    expect(() => h.send({ to: ["-Xoption@example.test"] })).toThrow(SmtpError);
    expect(() => h.send({ to: [] })).toThrow(/recipient/);
    expect(() => h.send({ to: ["b@example.net\r\nRSET"] })).toThrow(SmtpError);
    expect(() => h.send({ size: -3 })).toThrow(SmtpError);
    expect(() => h.send({ dsn: { envid: "" } })).toThrow(SmtpError);
    expect(h.session.pollTransmit()).toBeNull();
  });

  it("every recipient refused (pipelined): DATA refused, RSET, an error listing them", () => {
    const h = ready();
    const id = h.send({ to: ["x@example.net", "y@example.net"] });
    h.client();
    h.server("250 ok\n550 5.1.1 unknown x\n551 5.1.6 moved y\n554 5.5.1 no valid recipients\n");
    expect(h.client()).toBe("RSET\r\n");
    const error = failure(h, id);
    expect(error).toMatchObject({ kind: "rejected", code: 550, command: "RCPT TO" });
    expect(error.rejected?.map((r) => [r.address, r.code, r.enhancedCode])).toEqual([
      ["x@example.net", 550, "5.1.1"],
      ["y@example.net", 551, "5.1.6"],
    ]);
    h.server("250 reset\n");
    expect(h.session.idle).toBe(true);
  });

  it("every recipient refused but the server answers 354: an empty data end, then RSET", () => {
    const h = ready();
    const id = h.send();
    h.client();
    h.server("250 ok\n550 no\n354 go\n");
    expect(h.client()).toBe(".\r\n");
    expect(h.drain().some((a) => a.type === "need-body")).toBe(false);
    h.server("554 no valid recipients\n");
    expect(h.client()).toBe("RSET\r\n");
    expect(failure(h, id).kind).toBe("rejected");
    expect(h.result(id)).toMatchObject({ ok: false, dataSent: false });
  });

  it("a refused sender (pipelined): the job fails, RSET, the session goes on", () => {
    const h = ready();
    const a = h.send();
    h.client();
    h.server("553 5.7.1 sender refused\n503 5.5.1 no sender\n503 5.5.1 no sender\n");
    expect(h.client()).toBe("RSET\r\n");
    expect(failure(h, a)).toMatchObject({ kind: "rejected", code: 553, command: "MAIL FROM" });
    h.server("250 ok\n");
    const b = h.send();
    expect(h.client()).toContain("MAIL FROM");
    h.server("250 ok\n250 ok\n354 go\n");
    h.body(b, "x");
    h.server("250 ok\n");
    expect(h.result(b).ok).toBe(true);
  });

  it("a refused sender without PIPELINING: no RCPT, RSET", () => {
    const h = ready({}, "250 mx\n");
    const id = h.send();
    h.client();
    h.server("550 no\n");
    expect(h.client()).toBe("RSET\r\n");
    expect(failure(h, id).command).toBe("MAIL FROM");
  });

  it("requireAllRecipients: waits for the RCPT replies, then RSET when one is refused", () => {
    const h = ready();
    const id = h.send({ to: ["b@example.net", "c@example.net"], requireAllRecipients: true });
    expect(h.client()).toBe(
      "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nRCPT TO:<c@example.net>\r\n",
    );
    h.server("250 ok\n250 ok\n550 no\n");
    expect(h.client()).toBe("RSET\r\n");
    const r = h.result(id);
    expect(r).toMatchObject({ ok: false, rejected: [{ address: "c@example.net", code: 550 }] });
  });

  it("requireAllRecipients: DATA after the replies when all are accepted", () => {
    const h = ready();
    h.send({ requireAllRecipients: true });
    h.client();
    h.server("250 ok\n250 ok\n");
    expect(h.client()).toBe("DATA\r\n");
  });

  it("DATA refused after accepted recipients: RSET and the DATA reply in the error", () => {
    const h = ready();
    const id = h.send();
    h.client();
    h.server("250 ok\n250 ok\n451 4.3.0 try later\n");
    expect(h.client()).toBe("RSET\r\n");
    expect(failure(h, id)).toMatchObject({ command: "DATA", code: 451, retryable: true });
  });

  it("the final reply refuses the data: no RSET, dataSent", () => {
    const h = ready();
    const id = h.send();
    h.client();
    h.server("250 ok\n250 ok\n354 go\n");
    h.body(id, "hello");
    h.client();
    h.server("552 5.3.4 too big\n");
    expect(h.client()).toBe("");
    const r = h.result(id);
    expect(r).toMatchObject({ ok: false, dataSent: true, error: { code: 552, command: "DATA" } });
  });

  it("452 too many recipients (pipelined): the rest go in a further transaction, body asked again", () => {
    const h = ready();
    const id = h.send({ to: ["r1@x.example", "r2@x.example", "r3@x.example"] });
    h.client();
    h.server(
      "250 ok\n250 ok\n452 4.5.3 too many recipients\n452 4.5.3 too many recipients\n354 go\n",
    );
    expect(h.drain()).toEqual([{ type: "need-body", id }]);
    h.body(id, "body");
    expect(h.client()).toBe("body\r\n.\r\n");
    h.server("250 first part\n");
    expect(h.client()).toBe(
      "MAIL FROM:<a@example.org>\r\nRCPT TO:<r2@x.example>\r\nRCPT TO:<r3@x.example>\r\nDATA\r\n",
    );
    h.server("250 ok\n250 ok\n550 no r3\n354 go\n");
    expect(h.drain()).toEqual([{ type: "need-body", id }]);
    h.body(id, "body");
    h.server("250 second part\n");
    expect(h.result(id)).toMatchObject({
      ok: true,
      accepted: ["r1@x.example", "r2@x.example"],
      rejected: [{ address: "r3@x.example", code: 550 }],
      reply: { lines: ["first part"] },
    });
  });

  it("452 too many recipients without PIPELINING: stops sending RCPT at the limit", () => {
    const h = ready({}, "250 mx\n");
    const id = h.send({ to: ["r1@x.example", "r2@x.example", "r3@x.example"] });
    h.server("250 ok\n");
    h.client();
    h.server("250 ok\n");
    expect(h.client()).toBe("RCPT TO:<r2@x.example>\r\n");
    h.server("452 4.5.3 too many recipients\n");
    expect(h.client()).toBe("DATA\r\n");
    h.server("354 go\n");
    h.body(id, "b");
    h.client();
    h.server("250 ok\n");
    expect(h.client()).toBe("MAIL FROM:<a@example.org>\r\n");
    h.server("250 ok\n");
    expect(h.client()).toBe("RCPT TO:<r2@x.example>\r\n");
    h.server("250 ok\n");
    expect(h.client()).toBe("RCPT TO:<r3@x.example>\r\n");
    h.server("250 ok\n");
    h.server("354 go\n");
    h.body(id, "b");
    h.server("250 ok\n");
    expect(h.result(id)).toMatchObject({
      ok: true,
      accepted: ["r1@x.example", "r2@x.example", "r3@x.example"],
    });
  });

  it("a second part that fails at the end keeps the first part's success", () => {
    const h = ready();
    const id = h.send({ to: ["r1@x.example", "r2@x.example"] });
    h.client();
    h.server("250 ok\n250 ok\n452 4.5.3 too many recipients\n354 go\n");
    h.body(id, "b");
    h.server("250 ok\n");
    h.client();
    h.server("250 ok\n250 ok\n354 go\n");
    h.body(id, "b");
    h.server("554 5.6.0 rejected\n");
    expect(h.result(id)).toMatchObject({
      ok: true,
      accepted: ["r1@x.example"],
      rejected: [{ address: "r2@x.example", code: 554 }],
    });
  });

  it("a second part refused before the data still reports the first part and lists the rest", () => {
    const h = ready();
    const id = h.send({ to: ["r1@x.example", "r2@x.example", "r3@x.example"] });
    h.client();
    h.server(
      "250 ok\n250 ok\n452 4.5.3 too many recipients\n452 4.5.3 too many recipients\n354 go\n",
    );
    h.body(id, "b");
    h.server("250 ok\n");
    h.client();
    h.server("451 4.3.0 sender deferred\n503 no\n503 no\n503 no\n");
    expect(h.client()).toBe("RSET\r\n");
    expect(h.result(id)).toMatchObject({
      ok: true,
      accepted: ["r1@x.example"],
      rejected: [
        { address: "r2@x.example", code: 451, enhancedCode: "4.3.0", message: "sender deferred" },
        { address: "r3@x.example", code: 451 },
      ],
    });
  });

  it("bodyChunk for a job without need-body is a caller error", () => {
    const h = ready();
    expect(() => h.session.bodyChunk(7, new Uint8Array(1), h.now)).toThrow(/need-body/);
  });

  it("send after close fails at once; quit before connecting closes", () => {
    const h = new Harness();
    h.session.quit(h.now);
    expect(h.closeAction()).toEqual({ type: "close", reason: "quit" });
    const id = h.send();
    expect(failure(h, id).kind).toBe("connection");
  });

  it("QUIT waits for the queue, NOOP only when idle", () => {
    const h = ready();
    const id = h.send();
    h.session.quit(h.now);
    h.session.noop(h.now);
    expect(h.client()).toBe("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n");
    h.server("250 ok\n250 ok\n354 go\n");
    h.body(id, "x");
    h.client();
    h.server("250 ok\n");
    expect(h.client()).toBe("QUIT\r\n");
    expect(h.session.state).toBe("quitting");
    h.session.quit(h.now);
    h.receiveEofCheck();
  });

  it("NOOP when idle, its deadline is the command timeout", () => {
    const h = ready({ timeouts: { command: 1234 } });
    h.session.noop(h.now);
    expect(h.client()).toBe("NOOP\r\n");
    expect(h.session.pollTimeout()).toBe(h.now + 1234);
    h.server("250 ok\n");
    expect(h.session.pollTimeout()).toBeNull();
  });
});
