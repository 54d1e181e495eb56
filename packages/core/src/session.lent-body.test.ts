// With `lendOutput`, small DATA body pieces wait in the wire's staging buffer (the DATA
// encoder's output, or the copy of a piece it did not change) until the next output is
// joined, and the joined output is lent. Whatever the pieces, however many come before a
// poll, and whatever the caller then does with its own buffer, the bytes written must be
// those of a session without it.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BODY_COPY_LIMIT } from "./body-copy-limit.ts";
import { STAGING_LIMIT } from "./lent-buffers.ts";
import type { Session } from "./session.ts";
import { sessionAtBody } from "./session-at-body.test-util.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function atBody(lendOutput: boolean, chunking = false): { session: Session; id: number } {
  return sessionAtBody({ chunking, lendOutput });
}

/** Everything the session has to write, each chunk copied as it comes (it may be lent). */
function drain(session: Session, into: number[]): void {
  for (let b = session.pollTransmit(); b; b = session.pollTransmit()) into.push(...b);
}

/** Feeds `pieces` from one reused buffer (overwritten after each call), polling after each `every`. */
function feed(
  lendOutput: boolean,
  pieces: Uint8Array[],
  every: number,
  chunking = false,
): { written: string } {
  const { session, id } = atBody(lendOutput, chunking);
  const written: number[] = [];
  const reused = new Uint8Array(BODY_COPY_LIMIT * 2);
  pieces.forEach((piece, i) => {
    reused.set(piece);
    session.bodyChunk(id, reused.subarray(0, piece.length), 0);
    reused.fill(0x58); // the caller's buffer is its own again
    if ((i + 1) % every === 0) drain(session, written);
  });
  session.bodyEnd(id, 0);
  drain(session, written);
  return { written: dec.decode(new Uint8Array(written)) };
}

const piece = fc
  .array(
    fc.oneof(
      fc.constantFrom("\r\n", "\n", "\r", ".", "..", "\r\n.", "\r\n.\r\n", "x"),
      fc.string({ maxLength: 40 }),
    ),
    { maxLength: 30 },
  )
  .map((parts) => enc.encode(parts.join("")));

describe("Session with lendOutput: DATA body pieces staged", () => {
  for (const [name, chunking, numRuns] of [
    [
      "writes the bytes of a session without it, for any pieces and any number before a poll",
      false,
      200,
    ],
    ["the same over BDAT, which holds its pieces instead of staging them", true, 100],
  ] as const) {
    it(name, () => {
      fc.assert(
        fc.property(
          fc.array(piece, { maxLength: 12 }),
          fc.integer({ min: 1, max: 5 }),
          (pieces, every) => {
            expect(feed(true, pieces, every, chunking).written).toBe(
              feed(false, pieces, every, chunking).written,
            );
          },
        ),
        { numRuns },
      );
    });
  }

  it("stages pieces up to the staging limit together, then spills into new arrays", () => {
    // Pieces that each need a change (a leading dot on every line), under BODY_COPY_LIMIT:
    // the encoder asks for twice a piece's length and two, so two large ones exceed the
    // limit together, and the second goes into an array of its own.
    const dotted = (size: number) => {
      const line = ".a\r\n";
      return enc.encode(line.repeat(Math.floor(size / line.length)));
    };
    for (const sizes of [
      [1000, 1000, 1000],
      [BODY_COPY_LIMIT - 4, BODY_COPY_LIMIT - 4],
      [BODY_COPY_LIMIT - 4, 8, BODY_COPY_LIMIT - 4],
    ]) {
      const pieces = sizes.map(dotted);
      expect(feed(true, pieces, pieces.length).written).toBe(
        feed(false, pieces, pieces.length).written,
      );
    }
    expect(STAGING_LIMIT).toBe(2 * BODY_COPY_LIMIT + 2);
  });

  it("keeps what is staged while any of it is still queued behind a large piece", () => {
    // A small piece, a large clean one (the caller's own bytes, never copied), a small one:
    // one poll writes the first alone; a piece fed before the next poll must not be staged
    // over the third, which still waits.
    const clean = (size: number, fill: number) => {
      const bytes = new Uint8Array(size).fill(fill);
      for (let i = 76; i + 1 < size; i += 78) bytes.set([0x0d, 0x0a], i);
      bytes.set([0x0d, 0x0a], size - 2);
      return bytes;
    };
    const run = (lendOutput: boolean) => {
      const { session, id } = atBody(lendOutput);
      const written: number[] = [];
      session.bodyChunk(id, enc.encode(".a\r\n"), 0);
      session.bodyChunk(id, clean(BODY_COPY_LIMIT, 0x4c), 0);
      session.bodyChunk(id, clean(100, 0x42), 0);
      written.push(...session.pollTransmit()!);
      session.bodyChunk(id, clean(300, 0x43), 0);
      session.bodyEnd(id, 0);
      drain(session, written);
      return dec.decode(new Uint8Array(written));
    };
    const plain = run(false);
    expect(plain).toContain("B".repeat(76));
    expect(run(true)).toBe(plain);
  });

  it("never hands a staged piece out alone, even one of BODY_COPY_LIMIT octets or more", () => {
    // A piece just under the copy limit whose every line starts with a dot grows past it
    // when encoded: in the staging buffer, it must still be joined, not lent as it is.
    const { session, id } = atBody(true);
    const line = ".abc\r\n";
    const body = enc.encode(line.repeat(Math.floor((BODY_COPY_LIMIT - 1) / line.length)));
    session.bodyChunk(id, body, 0);
    const first = session.pollTransmit()!;
    expect(first.length).toBeGreaterThanOrEqual(BODY_COPY_LIMIT);
    const text = dec.decode(first);
    expect(text.startsWith("..abc\r\n")).toBe(true);
    // The next piece is staged from the start of the staging buffer again: the bytes
    // handed out before must not be a view of it.
    session.bodyChunk(id, enc.encode(".zzz\r\n"), 0);
    const second = session.pollTransmit()!;
    expect(dec.decode(second)).toBe("..zzz\r\n");
    expect(dec.decode(first)).toBe(text);
  });
});
