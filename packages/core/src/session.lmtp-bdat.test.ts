import { describe, expect, it } from "vitest";
import type { SmtpError } from "./errors.ts";
import { Harness, ready } from "./session.test-util.ts";

function failure(h: Harness, id: number): SmtpError {
  const r = h.result(id);
  if (r.ok) throw new Error("expected a failed result");
  return r.error;
}

describe("Session LMTP and BDAT", () => {
  it("LMTP: one reply per accepted recipient after the data", () => {
    const h = new Harness({ lmtp: true }).connect();
    h.server("220 lmtp\n");
    expect(h.client()).toBe("LHLO client.example\r\n");
    h.server("250-lmtp\n250 PIPELINING\n");
    h.drain();
    const id = h.send({ to: ["r1@x.example", "r2@x.example", "r3@x.example"] });
    h.client();
    h.server("250 ok\n250 ok\n550 unknown\n250 ok\n354 go\n");
    h.body(id, "b");
    h.client();
    h.server("250 2.0.0 r1 delivered\n");
    expect(h.drain().some((a) => a.type === "result")).toBe(false);
    h.server("452 4.2.2 r3 over quota\n");
    expect(h.result(id)).toMatchObject({
      ok: true,
      accepted: ["r1@x.example"],
      rejected: [
        { address: "r2@x.example", code: 550 },
        { address: "r3@x.example", code: 452, enhancedCode: "4.2.2" },
      ],
      reply: { code: 250 },
    });
    expect(h.session.idle).toBe(true);
  });

  it("LMTP: every final reply negative fails the job", () => {
    const h = new Harness({ lmtp: true }).connect();
    h.server("220 lmtp\n250 lmtp\n");
    h.drain();
    const id = h.send();
    h.server("250 ok\n");
    h.server("250 ok\n");
    h.server("354 go\n");
    h.body(id, "b");
    h.server("550 5.2.1 mailbox disabled\n");
    expect(failure(h, id)).toMatchObject({ kind: "rejected", rejected: [{ code: 550 }] });
  });

  const CHUNKING = "250-mx\n250-PIPELINING\n250-CHUNKING\n250 BINARYMIME\n";

  it("BDAT: body chunks framed with exact sizes, asked for right after the envelope", () => {
    const h = ready({}, CHUNKING);
    const id = h.send();
    expect(h.client()).toBe("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\n");
    expect(h.drain()).toEqual([{ type: "need-body", id }]);
    expect(h.session.state).toBe("data");
    h.session.bodyChunk(id, new TextEncoder().encode("a\n.b"), h.now);
    // Held: the body may still fit one chunk.
    expect(h.client()).toBe("");
    h.session.bodyEnd(id, h.now);
    expect(h.client()).toBe("BDAT 7 LAST\r\na\r\n.b\r\n");
    h.server("250 ok\n250 ok\n250 done\n");
    expect(h.result(id)).toMatchObject({ ok: true, reply: { lines: ["done"] } });
  });

  it("BDAT: a binary message is sent with BODY=BINARYMIME", () => {
    const h = ready({}, CHUNKING);
    h.send({ binary: true });
    expect(h.client()).toBe(
      "MAIL FROM:<a@example.org> BODY=BINARYMIME\r\nRCPT TO:<b@example.net>\r\n",
    );
  });

  it("BDAT: every recipient refused fails the job after the LAST reply, then RSET", () => {
    const h = ready({}, CHUNKING);
    const id = h.send();
    h.client();
    h.drain();
    h.body(id, "x");
    h.client();
    h.server("250 ok\n550 no\n554 no valid recipients\n");
    expect(h.client()).toBe("RSET\r\n");
    expect(failure(h, id)).toMatchObject({ kind: "rejected", command: "RCPT TO" });
  });

  it("BDAT: a refused chunk fails the job", () => {
    const h = ready({}, CHUNKING);
    const id = h.send();
    h.client();
    h.drain();
    h.body(id, "x");
    h.server("250 ok\n250 ok\n552 too big\n");
    expect(failure(h, id)).toMatchObject({ code: 552, command: "BDAT" });
  });

  it("chunking: false keeps DATA; binary without BINARYMIME fails before MAIL", () => {
    const h = ready({ chunking: false }, CHUNKING);
    h.send();
    expect(h.client()).toContain("DATA\r\n");
    const plain = ready();
    const id = plain.send({ binary: true });
    expect(plain.client()).toBe("");
    expect(failure(plain, id).detail).toBe("binarymime-unsupported");
  });

  it("CHUNKING without PIPELINING: DATA, one command at a time; binary fails before MAIL", () => {
    const h = ready({}, "250-mx\n250-CHUNKING\n250 BINARYMIME\n");
    const binary = h.send({ binary: true });
    expect(h.client()).toBe("");
    expect(failure(h, binary)).toMatchObject({
      kind: "rejected",
      detail: "binarymime-unsupported",
    });
    const id = h.send();
    expect(h.client()).toBe("MAIL FROM:<a@example.org>\r\n");
    h.server("250 ok\n");
    expect(h.client()).toBe("RCPT TO:<b@example.net>\r\n");
    h.server("250 ok\n");
    expect(h.client()).toBe("DATA\r\n");
    h.server("354 go\n");
    expect(h.drain()).toEqual([{ type: "need-body", id }]);
    h.body(id, "x\n");
    expect(h.client()).toBe("x\r\n.\r\n");
    h.server("250 queued\n");
    expect(h.result(id)).toMatchObject({ ok: true });
  });
});
