import { describe, expect, it } from "vitest";
import { BODY_COPY_LIMIT } from "./body-copy-limit.ts";
import { fieldsOf } from "./errors.test-util.ts";
import { enc, type Harness, ready } from "./session.test-util.ts";
import type { SendResult } from "./session-types.ts";

// BDAT bodies larger than one held chunk: each non-LAST chunk has its own reply, and a
// server may refuse one in the middle (Exim answers every chunk; a refused one ends the
// transaction, and it refuses what follows with 503).

const CHUNKING = "250-mx\n250-PIPELINING\n250-CHUNKING\n250 ENHANCEDSTATUSCODES\n";
/** One line of exactly the copy limit, CRLF included: the encoder passes it as it is. */
const BIG = `${"a".repeat(BODY_COPY_LIMIT - 2)}\r\n`;

/** The client's bytes with each run of the body line shortened to `<BIG>` (readable failures). */
function written(h: Harness): string {
  return h.client().split(BIG).join("<BIG>");
}

function failed(result: SendResult) {
  if (result.ok) throw new Error("expected a failure");
  return result;
}

/** A BDAT job whose envelope is written; its body not yet given. */
function started(h: Harness): number {
  const id = h.send();
  expect(h.client()).toBe("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\n");
  expect(h.drain()).toEqual([{ type: "need-body", id }]);
  return id;
}

describe("Session BDAT chunks", () => {
  it("a piece of the copy limit goes at once as a non-LAST chunk; the rest ends with LAST", () => {
    const h = ready({}, CHUNKING);
    const id = started(h);
    h.session.bodyChunk(id, enc.encode(BIG), h.now);
    expect(written(h)).toBe(`BDAT ${BODY_COPY_LIMIT}\r\n<BIG>`);
    h.session.bodyChunk(id, enc.encode("b\n"), h.now);
    h.session.bodyEnd(id, h.now);
    expect(written(h)).toBe("BDAT 3 LAST\r\nb\r\n");
    h.server("250 ok\n250 ok\n250 2.0.0 chunk\n250 2.0.0 queued\n");
    expect(h.result(id)).toEqual({
      ok: true,
      accepted: ["b@example.net"],
      rejected: [],
      reply: { code: 250, enhancedCode: "2.0.0", lines: ["queued"] },
    });
    expect(h.session.state).toBe("ready");
  });

  it("a refused non-LAST chunk fails the job with that chunk's reply, then RSET", () => {
    const h = ready({}, CHUNKING);
    const id = started(h);
    h.session.bodyChunk(id, enc.encode(BIG), h.now);
    h.session.bodyEnd(id, h.now);
    expect(written(h)).toBe(`BDAT ${BODY_COPY_LIMIT}\r\n<BIG>BDAT 0 LAST\r\n`);
    h.server("250 ok\n250 ok\n552 5.3.4 message too big\n");
    // Nothing settles before the reply to the LAST chunk.
    expect(h.drain()).toEqual([]);
    expect(h.client()).toBe("");
    h.server("503 5.5.1 no transaction\n");
    const result = failed(h.result(id));
    expect(result).toMatchObject({ accepted: [], rejected: [], dataSent: true });
    expect(fieldsOf(result.error)).toEqual({
      kind: "rejected",
      message: "the server refused BDAT",
      command: "BDAT",
      code: 552,
      enhancedCode: "5.3.4",
      response: "message too big",
      retryable: false,
    });
    expect(h.client()).toBe("RSET\r\n");
    h.server("250 reset\n");
    expect(h.session.state).toBe("ready");
  });

  it("two refused chunks: the first refusal is the error, even when LAST is accepted", () => {
    const h = ready({}, CHUNKING);
    const id = started(h);
    h.session.bodyChunk(id, enc.encode(BIG), h.now);
    h.session.bodyChunk(id, enc.encode(BIG), h.now);
    h.session.bodyEnd(id, h.now);
    h.client();
    h.server("250 ok\n250 ok\n452 4.3.1 out of space\n554 5.0.0 later\n250 2.0.0 queued\n");
    expect(fieldsOf(failed(h.result(id)).error)).toEqual({
      kind: "rejected",
      message: "the server refused BDAT",
      command: "BDAT",
      code: 452,
      enhancedCode: "4.3.1",
      response: "out of space",
      retryable: true,
    });
    expect(h.client()).toBe("RSET\r\n");
  });

  it("an empty body goes as BDAT 0 LAST: refused, no data was sent", () => {
    const h = ready({}, CHUNKING);
    const id = started(h);
    h.session.bodyEnd(id, h.now);
    expect(h.client()).toBe("BDAT 0 LAST\r\n");
    expect(h.transcript.slice(-2)).toEqual([
      { direction: "C", text: "BDAT 0 LAST" },
      { direction: "*", text: "end of message body" },
    ]);
    h.server("250 ok\n250 ok\n554 5.6.0 empty message\n");
    const result = failed(h.result(id));
    expect(result.dataSent).toBe(false);
    expect(fieldsOf(result.error)).toEqual({
      kind: "rejected",
      message: "the server refused the message",
      command: "BDAT",
      code: 554,
      enhancedCode: "5.6.0",
      response: "empty message",
      retryable: false,
    });
  });
  it("a 421 to a non-LAST chunk after LAST went out: not taken, retryable, no maybe-delivered", () => {
    const h = ready({}, CHUNKING);
    const id = started(h);
    h.session.bodyChunk(id, enc.encode(BIG), h.now);
    h.session.bodyEnd(id, h.now);
    expect(written(h)).toBe(`BDAT ${BODY_COPY_LIMIT}\r\n<BIG>BDAT 0 LAST\r\n`);
    // The server closes at the first chunk: it never reads the LAST one.
    h.server("250 ok\n250 ok\n421 4.3.2 shutting down\n");
    expect(h.client()).toBe("");
    const result = failed(h.result(id));
    expect(result).toMatchObject({ accepted: [], rejected: [], dataSent: true });
    expect(fieldsOf(result.error)).toEqual({
      kind: "connection",
      message: "the server is closing the connection (421)",
      command: "BDAT",
      code: 421,
      enhancedCode: "4.3.2",
      response: "shutting down",
      retryable: true,
    });
    expect(h.closeAction()).toMatchObject({ reason: "error", error: result.error });
  });
});
