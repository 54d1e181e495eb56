import { describe, expect, it } from "vitest";
import { BODY_COPY_LIMIT } from "./body-copy-limit.ts";
import type { Session } from "./session.ts";
import { sessionAtBody } from "./session-at-body.test-util.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function atBody(chunking: boolean, binary = false): { session: Session; id: number } {
  return sessionAtBody({ chunking, binary });
}

function drain(session: Session): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let b = session.pollTransmit(); b; b = session.pollTransmit()) out.push(b);
  return out;
}

/** `size` bytes of CRLF lines that need no change on the wire. */
function cleanLines(size: number): Uint8Array {
  const bytes = new Uint8Array(size).fill(0x41);
  for (let i = 76; i + 1 < size; i += 78) {
    bytes[i] = 0x0d;
    bytes[i + 1] = 0x0a;
  }
  bytes[size - 2] = 0x0d;
  bytes[size - 1] = 0x0a;
  return bytes;
}

describe("Session body memory (bodyChunk aliasing rule)", () => {
  for (const [name, chunking, binary] of [
    ["DATA", false, false],
    ["BDAT", true, false],
    ["BDAT BINARYMIME", true, true],
  ] as const) {
    it(`${name}: a chunk under BODY_COPY_LIMIT is copied, so the caller may reuse it at once`, () => {
      const { session, id } = atBody(chunking, binary);
      const chunk = cleanLines(BODY_COPY_LIMIT - 2);
      const expected = dec.decode(chunk);
      session.bodyChunk(id, chunk, 0);
      chunk.fill(0x58); // the caller overwrites its buffer before anything was written
      session.bodyEnd(id, 0);
      const wire = drain(session)
        .map((b) => dec.decode(b))
        .join("");
      expect(wire).toContain(expected);
      expect(wire).not.toContain("X");
    });
  }

  for (const [name, chunking] of [
    ["DATA", false],
    ["BDAT", true],
  ] as const) {
    it(`${name}: a small chunk ending in a CR (held for the next chunk) is copied too`, () => {
      const { session, id } = atBody(chunking);
      // Nothing in it changes: the encoder gives back a view of it, less the last CR.
      const chunk = enc.encode(`Subject: a\r\n\r\n${"A".repeat(100)}\r`);
      session.bodyChunk(id, chunk, 0);
      chunk.fill(0x58); // the caller reuses its buffer for the next read
      session.bodyChunk(id, enc.encode("\nend\r\n"), 0);
      session.bodyEnd(id, 0);
      const wire = drain(session)
        .map((b) => dec.decode(b))
        .join("");
      expect(wire).toContain(`Subject: a\r\n\r\n${"A".repeat(100)}\r\nend\r\n`);
      expect(wire).not.toContain("X");
    });
  }

  it("BDAT: a body that fits one chunk goes out as a single BDAT n LAST at its end", () => {
    const { session, id } = atBody(true);
    session.bodyChunk(id, enc.encode("Subject: a\r\n\r\n"), 0);
    session.bodyChunk(id, enc.encode("body\r\n"), 0);
    expect(drain(session)).toEqual([]);
    session.bodyEnd(id, 0);
    expect(drain(session).map((b) => dec.decode(b))).toEqual([
      "BDAT 20 LAST\r\nSubject: a\r\n\r\nbody\r\n",
    ]);
  });

  it("BDAT: small pieces are held up to BODY_COPY_LIMIT bytes in all, not one more", () => {
    for (const [total, chunks] of [
      [BODY_COPY_LIMIT - 1, ["BDAT 65535 LAST"]],
      [BODY_COPY_LIMIT, ["BDAT 65536 LAST"]],
      [BODY_COPY_LIMIT + 1, ["BDAT 65535", "BDAT 2 LAST"]],
    ] as const) {
      const { session, id } = atBody(true);
      // Two pieces: all but two bytes, then the last two (each under the limit).
      session.bodyChunk(id, cleanLines(total - 2), 0);
      session.bodyChunk(id, enc.encode("\r\n"), 0);
      session.bodyEnd(id, 0);
      const wire = drain(session)
        .map((b) => dec.decode(b))
        .join("");
      expect(wire.match(/BDAT \d+( LAST)?/g)).toEqual(chunks);
      expect(wire.replace(/BDAT \d+( LAST)?\r\n/g, "")).toBe(
        dec.decode(cleanLines(total - 2)) + "\r\n",
      );
    }
  });

  it("BDAT: a large chunk goes out at once after what was held; the end is then BDAT 0 LAST", () => {
    const { session, id } = atBody(true);
    session.bodyChunk(id, enc.encode("Subject: a\r\n\r\n"), 0);
    const big = cleanLines(BODY_COPY_LIMIT);
    session.bodyChunk(id, big, 0);
    const wire = drain(session)
      .map((b) => dec.decode(b))
      .join("");
    expect(wire).toBe(`BDAT 14\r\nSubject: a\r\n\r\nBDAT ${big.length}\r\n${dec.decode(big)}`);
    session.bodyEnd(id, 0);
    expect(drain(session).map((b) => dec.decode(b))).toEqual(["BDAT 0 LAST\r\n"]);
  });

  it("DATA: a large chunk that needs no change goes out as the caller's own bytes", () => {
    const { session, id } = atBody(false);
    const chunk = cleanLines(BODY_COPY_LIMIT);
    session.bodyChunk(id, chunk, 0);
    const out = drain(session);
    expect(out).toHaveLength(1);
    expect(out[0]).toBe(chunk);
    session.bodyEnd(id, 0);
    expect(drain(session).map((b) => dec.decode(b))).toEqual([".\r\n"]);
  });

  it("a large chunk behind small output is never copied into it: it comes on its own, after", () => {
    for (const chunking of [false, true]) {
      const { session, id } = atBody(chunking);
      session.bodyChunk(id, enc.encode("Subject: a\r\n\r\n"), 0);
      const small = cleanLines(78);
      session.bodyChunk(id, small, 0);
      const big = cleanLines(BODY_COPY_LIMIT);
      session.bodyChunk(id, big, 0);
      const out = drain(session);
      // The small output first (joined), then the caller's own bytes, exactly at the limit.
      expect(out).toHaveLength(2);
      expect(out[1]).toBe(big);
      const head = chunking ? `BDAT ${14 + 78}\r\nSubject: a\r\n\r\n` : "Subject: a\r\n\r\n";
      const frame = chunking ? `BDAT ${big.length}\r\n` : "";
      expect(dec.decode(out[0])).toBe(head + dec.decode(small) + frame);
      // One byte under the limit, the chunk is a copy and joins the rest.
      const under = atBody(chunking);
      under.session.bodyChunk(under.id, enc.encode("x\r\n"), 0);
      under.session.bodyChunk(under.id, cleanLines(BODY_COPY_LIMIT - 1), 0);
      under.session.bodyEnd(under.id, 0);
      expect(drain(under.session)).toHaveLength(1);
    }
  });

  it("DATA: a large chunk that needs dot-stuffing goes out encoded", () => {
    const { session, id } = atBody(false);
    const chunk = cleanLines(BODY_COPY_LIMIT);
    chunk[0] = 0x2e;
    session.bodyChunk(id, chunk, 0);
    const out = drain(session);
    expect(out).toHaveLength(1);
    expect(out[0]).not.toBe(chunk);
    expect(dec.decode(out[0])).toBe(`.${dec.decode(chunk)}`);
  });

  it("BDAT BINARYMIME: a large chunk is framed with its exact size and not changed", () => {
    const { session, id } = atBody(true, true);
    const chunk = new Uint8Array(BODY_COPY_LIMIT + 3).fill(0x0a);
    session.bodyChunk(id, chunk, 0);
    const wire = drain(session)
      .map((b) => dec.decode(b))
      .join("");
    expect(wire).toBe(`BDAT ${chunk.length}\r\n${"\n".repeat(chunk.length)}`);
  });
});
