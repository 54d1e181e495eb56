import { describe, expect, it } from "vitest";
import { type Harness, ready } from "./session.test-util.ts";
import type { SendResult } from "./session-types.ts";

// Pipelining a transaction behind another whose outcome is not known yet: RSET first, a
// refused speculation sent again, and honest outcomes when the connection fails.

const CHUNKING = "250-mx\n250-PIPELINING\n250 CHUNKING\n";
const HARAKA_503 = "503 5.5.1 Bad sequence of commands - pipelined after end of DATA\n";

function failed(result: SendResult) {
  if (result.ok) throw new Error("expected a failure");
  return result;
}

/** Two BDAT messages on the wire, bodies fed; the client's bytes read. */
function twoInFlight(h: Harness): [number, number] {
  const a = h.send({ from: "a@example.org" });
  const b = h.send({ from: "z@example.org", to: ["c@example.net"] });
  h.drain();
  h.body(a, "one\r\n");
  h.drain();
  h.body(b, "two\r\n");
  expect(h.client()).toBe(
    "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nBDAT 5 LAST\r\none\r\n" +
      "RSET\r\nMAIL FROM:<z@example.org>\r\nRCPT TO:<c@example.net>\r\nBDAT 5 LAST\r\ntwo\r\n",
  );
  return [a, b];
}

describe("Session speculation: BDAT", () => {
  it("only the transaction behind an unknown outcome starts with RSET", () => {
    const h = ready({}, CHUNKING);
    const [a, b] = twoInFlight(h);
    h.server("250 ok\n250 ok\n250 queued 1\n250 reset\n250 ok\n250 ok\n250 queued 2\n");
    expect(h.result(a)).toMatchObject({ ok: true, accepted: ["b@example.net"] });
    expect(h.result(b)).toMatchObject({ ok: true, accepted: ["c@example.net"] });
    // Both outcomes known: the third starts clean, without RSET.
    const c = h.send();
    h.drain();
    h.body(c, "three\r\n");
    expect(h.client()).toBe(
      "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nBDAT 7 LAST\r\nthree\r\n",
    );
  });

  it("a refused RSET behind BDAT data ends the connection; the message behind may have been delivered", () => {
    const h = ready({}, CHUNKING);
    const [a, b] = twoInFlight(h);
    const c = h.send({ to: ["d@example.net"] });
    h.server("250 ok\n250 ok\n250 queued 1\n500 what\n");
    expect(h.result(a).ok).toBe(true);
    expect(failed(h.result(b)).error).toMatchObject({
      kind: "connection",
      detail: "maybe-delivered",
      retryable: false,
    });
    // Never started: free to go on another connection.
    expect(failed(h.result(c))).toMatchObject({
      error: { kind: "protocol", detail: "rset-refused", retryable: false },
      dataSent: false,
    });
    expect(h.closeAction()).toMatchObject({ reason: "error", error: { detail: "rset-refused" } });
    expect(h.client()).toBe("");
  });

  it("503 to a speculative MAIL, BDAT refused: sent again after RSET, then one at a time", () => {
    const h = ready({}, CHUNKING);
    const [a, b] = twoInFlight(h);
    h.server("250 ok\n250 ok\n250 queued 1\n250 reset\n503 sender already given\n");
    // Sent now, the third would start behind the second, whose outcome is unknown: it waits.
    const c = h.send({ to: ["d@example.net"] });
    expect(h.client()).toBe("");
    h.server("503 no mail\n503 no valid recipients\n");
    expect(h.result(a).ok).toBe(true);
    // b is sent again from a known state; c waits for b's outcome.
    expect(h.client()).toBe("RSET\r\nMAIL FROM:<z@example.org>\r\nRCPT TO:<c@example.net>\r\n");
    h.drain();
    h.body(b, "two\r\n");
    expect(h.client()).toBe("BDAT 5 LAST\r\ntwo\r\n");
    h.server("250 reset\n250 ok\n250 ok\n250 queued 2\n");
    expect(h.result(b)).toMatchObject({ ok: true, accepted: ["c@example.net"] });
    expect(h.client()).toBe("MAIL FROM:<a@example.org>\r\nRCPT TO:<d@example.net>\r\n");
    h.drain();
    h.body(c, "three\r\n");
    expect(h.client()).toBe("BDAT 7 LAST\r\nthree\r\n");
    h.server("250 ok\n250 ok\n250 queued 3\n");
    expect(h.result(c).ok).toBe(true);
    expect(h.transcript.map((e) => e.text)).toContain(
      "the server refused pipelining behind the end of data: one message at a time from now on",
    );
  });

  it("data accepted after a 503 to its MAIL: reported as maybe delivered, never as sent", () => {
    const h = ready({}, CHUNKING);
    const [a, b] = twoInFlight(h);
    h.server("250 ok\n250 ok\n250 queued 1\n250 reset\n503 sender already given\n250 ok\n");
    h.server("250 queued 2\n");
    expect(h.result(a).ok).toBe(true);
    expect(failed(h.result(b)).error).toMatchObject({
      kind: "protocol",
      detail: "maybe-delivered",
      code: 250,
      retryable: false,
    });
    expect(h.closeAction()).toMatchObject({ reason: "error" });
  });

  it("a failed transaction sends RSET at once only when no later one is on the wire", () => {
    const alone = ready({}, CHUNKING);
    const id = alone.send();
    alone.drain();
    alone.body(id, "x");
    alone.client();
    alone.server("250 ok\n550 no\n503 no valid recipients\n");
    expect(alone.client()).toBe("RSET\r\n");
    expect(failed(alone.result(id)).error.kind).toBe("rejected");

    const behind = ready({}, CHUNKING);
    const [a, b] = twoInFlight(behind);
    behind.server("250 ok\n550 no\n503 no valid recipients\n");
    expect(failed(behind.result(a)).error.kind).toBe("rejected");
    // b's own RSET already went out ahead of it: no second one behind it.
    expect(behind.client()).toBe("");
    behind.server("250 reset\n250 ok\n250 ok\n250 queued\n");
    expect(behind.result(b).ok).toBe(true);
  });

  it("end of stream with two messages in flight: both maybe delivered; a queued one is retryable", () => {
    const h = ready({}, CHUNKING);
    const [a, b] = twoInFlight(h);
    const c = h.send({ to: ["d@example.net"] });
    h.session.receiveEof(h.now);
    for (const id of [a, b]) {
      expect(failed(h.result(id))).toMatchObject({
        error: { kind: "connection", detail: "maybe-delivered", retryable: false },
        dataSent: true,
      });
    }
    expect(failed(h.result(c))).toMatchObject({
      error: { kind: "connection", detail: "eof", retryable: true },
      dataSent: false,
    });
  });

  it("421 to an end of data: that message was refused, the one behind may have been delivered", () => {
    const h = ready({}, CHUNKING);
    const [a, b] = twoInFlight(h);
    h.server("250 ok\n250 ok\n421 4.3.0 shutting down\n");
    expect(failed(h.result(a)).error).toMatchObject({
      kind: "connection",
      code: 421,
      retryable: true,
    });
    expect(failed(h.result(b)).error).toMatchObject({ detail: "maybe-delivered" });
    expect(failed(h.result(b)).error.cause).toMatchObject({ code: 421 });
  });
});

describe("Session speculation: DATA", () => {
  /** One message delivered up to its end of data, a second pipelined behind it. */
  function behindDot(): { h: Harness; a: number; b: number } {
    const h = ready();
    const a = h.send();
    const b = h.send({ to: ["c@example.net"] });
    h.client();
    h.server("250 ok\n250 ok\n354 go\n");
    h.drain();
    h.body(a, "one\r\n");
    expect(h.client()).toBe(
      "one\r\n.\r\nRSET\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<c@example.net>\r\nDATA\r\n",
    );
    return { h, a, b };
  }

  it("503 to everything behind the end of data: sent again, and no more speculation", () => {
    const { h, a, b } = behindDot();
    const c = h.send({ to: ["d@example.net"] });
    h.server(`250 queued 1\n${HARAKA_503.repeat(4)}`);
    expect(h.result(a).ok).toBe(true);
    expect(h.client()).toBe(
      "RSET\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<c@example.net>\r\nDATA\r\n",
    );
    h.server("250 reset\n250 ok\n250 ok\n354 go\n");
    h.drain();
    h.body(b, "two\r\n");
    // The third waits for the second's outcome now.
    expect(h.client()).toBe("two\r\n.\r\n");
    h.server("250 queued 2\n");
    expect(h.result(b)).toMatchObject({ ok: true, accepted: ["c@example.net"] });
    expect(h.client()).toBe("MAIL FROM:<a@example.org>\r\nRCPT TO:<d@example.net>\r\nDATA\r\n");
    h.server("250 ok\n250 ok\n354 go\n");
    h.drain();
    h.body(c, "three\r\n");
    expect(h.client()).toBe("three\r\n.\r\n");
    h.server("250 queued 3\n");
    expect(h.result(c).ok).toBe(true);
  });

  it("a refused RSET but 354 to DATA: closes rather than send anything; the message can be retried", () => {
    const { h, a, b } = behindDot();
    h.server(`250 queued 1\n${HARAKA_503}250 ok\n250 ok\n354 go\n`);
    expect(h.result(a).ok).toBe(true);
    expect(failed(h.result(b))).toMatchObject({
      error: { kind: "protocol", detail: "pipelining-refused", retryable: true },
      dataSent: false,
    });
    expect(h.client()).toBe("");
    expect(h.closeAction()).toMatchObject({ reason: "error" });
  });

  it("a refused end of data the server kept open: the RSET ahead of the next MAIL clears it, and the next goes under its own envelope", () => {
    // A server that, against RFC 5321, kept the refused transaction open would take the next
    // MAIL as nested and its RCPT into the old envelope: the RSET in front is what prevents it.
    const { h, a, b } = behindDot();
    h.server("554 5.7.1 refused at end of data\n250 reset\n250 ok\n250 ok\n354 go\n");
    expect(failed(h.result(a))).toMatchObject({ error: { code: 554 }, dataSent: true });
    h.drain();
    h.body(b, "two\r\n");
    expect(h.client()).toBe("two\r\n.\r\n");
    h.server("250 queued 2\n");
    expect(h.result(b)).toMatchObject({ ok: true, accepted: ["c@example.net"] });
  });

  it("requireAllRecipients behind an unknown outcome: refused speculation is sent again before any data", () => {
    const h = ready();
    const a = h.send();
    const b = h.send({ to: ["c@example.net"], requireAllRecipients: true });
    h.client();
    h.server("250 ok\n250 ok\n354 go\n");
    h.drain();
    h.body(a, "one\r\n");
    expect(h.client()).toBe(
      "one\r\n.\r\nRSET\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<c@example.net>\r\n",
    );
    h.server(`250 queued 1\n${HARAKA_503.repeat(3)}`);
    expect(h.result(a).ok).toBe(true);
    expect(h.client()).toBe("RSET\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<c@example.net>\r\n");
    h.server("250 reset\n250 ok\n250 ok\n");
    expect(h.client()).toBe("DATA\r\n");
    h.server("354 go\n");
    h.drain();
    h.body(b, "two\r\n");
    h.server("250 queued 2\n");
    expect(h.result(b).ok).toBe(true);
  });

  it("a stall after 354 fails the message behind it as retryable: none of its data went out", () => {
    const h = ready();
    const a = h.send();
    const b = h.send({ to: ["c@example.net"] });
    h.client();
    h.server("250 ok\n250 ok\n354 go\n");
    h.drain();
    h.session.bodyChunk(a, new TextEncoder().encode("partial"), h.now);
    const deadline = h.session.pollTimeout();
    expect(deadline).not.toBeNull();
    h.session.handleTimeout(deadline as number);
    expect(failed(h.result(a))).toMatchObject({
      error: { kind: "timeout", phase: "data-block", retryable: true },
      dataSent: true,
    });
    expect(failed(h.result(b))).toMatchObject({
      error: { kind: "timeout", retryable: true },
      dataSent: false,
    });
  });
});
