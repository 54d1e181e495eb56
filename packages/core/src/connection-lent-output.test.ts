import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BODY_COPY_LIMIT } from "./body-copy-limit.ts";
import { Connection } from "./connection.ts";
import { LENT_OUTPUT_LIMIT } from "./lent-buffers.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

const bytes = (length: number, fill = 0x61) => new Uint8Array(length).fill(fill);

/**
 * Queues `size` (two or more) octets of body in pieces under `BODY_COPY_LIMIT`, at least
 * two, so that they are joined (a piece queued alone comes out as it is).
 */
function queue(c: Connection<string>, size: number, fill = 0x61): void {
  c.write(bytes(1, fill));
  for (let left = size - 1; left > 0; left -= BODY_COPY_LIMIT - 1) {
    c.write(bytes(Math.min(left, BODY_COPY_LIMIT - 1), fill));
  }
}

describe("Connection with lendOutput", () => {
  it("joins every output into the same buffer, each right until the next poll", () => {
    const c = new Connection<string>({ lendOutput: true });
    c.send({ name: "NOOP" }, "command", "one");
    c.write(enc.encode("body"));
    const first = c.pollTransmit()!;
    expect(dec.decode(first)).toBe("NOOP\r\nbody");
    c.send({ name: "RSET" }, "command", "two");
    const second = c.pollTransmit()!;
    expect(dec.decode(second)).toBe("RSET\r\n");
    expect(second.buffer).toBe(first.buffer);
    expect(second.byteOffset).toBe(first.byteOffset);
    // Lent: the first output was overwritten by the second, as the option says.
    expect(dec.decode(first.subarray(0, 6))).toBe("RSET\r\n");
  });

  it("without it, every output is a new array of its own", () => {
    const c = new Connection<string>();
    c.send({ name: "NOOP" }, "command", "one");
    const first = c.pollTransmit()!;
    c.send({ name: "RSET" }, "command", "two");
    const second = c.pollTransmit()!;
    expect(second.buffer).not.toBe(first.buffer);
    expect(dec.decode(first)).toBe("NOOP\r\n");
  });

  it("grows its buffer from 4 KiB by doubling, and keeps it for outputs that fit", () => {
    const c = new Connection<string>({ lendOutput: true });
    queue(c, 100);
    const small = c.pollTransmit()!;
    expect(small.buffer.byteLength).toBe(4096);
    queue(c, 4096); // exactly its size: the same buffer
    expect(c.pollTransmit()!.buffer).toBe(small.buffer);
    queue(c, 4097);
    const grown = c.pollTransmit()!;
    expect(grown.length).toBe(4097);
    expect(grown.buffer.byteLength).toBe(8192);
    queue(c, 10);
    expect(c.pollTransmit()!.buffer).toBe(grown.buffer);
    // Twice its size exactly: one doubling, not two.
    queue(c, 16_384);
    expect(c.pollTransmit()!.buffer.byteLength).toBe(16_384);
  });

  it("lends up to LENT_OUTPUT_LIMIT octets of room; one more goes into a new array", () => {
    expect(LENT_OUTPUT_LIMIT).toBe(64 * 1024);
    for (const size of [LENT_OUTPUT_LIMIT - 1, LENT_OUTPUT_LIMIT]) {
      const c = new Connection<string>({ lendOutput: true });
      queue(c, 10, 0x62);
      const lent = c.pollTransmit()!;
      queue(c, size);
      const joined = c.pollTransmit()!;
      expect(joined.length).toBe(size);
      expect(joined.buffer).not.toBe(lent.buffer); // grown past 4 KiB: a bigger buffer…
      queue(c, 10);
      expect(c.pollTransmit()!.buffer).toBe(joined.buffer); // …which is then kept
      expect(joined.buffer.byteLength).toBe(LENT_OUTPUT_LIMIT);
    }
    const over = new Connection<string>({ lendOutput: true });
    queue(over, 10, 0x62);
    const lent = over.pollTransmit()!;
    queue(over, LENT_OUTPUT_LIMIT + 1);
    const joined = over.pollTransmit()!;
    expect(joined.length).toBe(LENT_OUTPUT_LIMIT + 1);
    expect(joined.buffer.byteLength).toBe(LENT_OUTPUT_LIMIT + 1);
    // The lent buffer was left as it was, and is lent again for the next small output.
    expect(dec.decode(lent)).toBe("b".repeat(10));
    queue(over, 10);
    expect(over.pollTransmit()!.buffer).toBe(lent.buffer);
  });

  it("counts command text at three octets a code unit when it sizes the room", () => {
    // "NOOP\r\n" takes 6 octets but is given 18 of room: with LIMIT − 18 body octets the
    // room is the limit (lent); with LIMIT − 17 it is one over (a new array).
    const c = new Connection<string>({ lendOutput: true });
    queue(c, 1);
    const lent = c.pollTransmit()!;
    c.send({ name: "NOOP" }, "command", "noop");
    queue(c, LENT_OUTPUT_LIMIT - 18);
    const fits = c.pollTransmit()!;
    expect(fits.length).toBe(LENT_OUTPUT_LIMIT - 12);
    expect(fits.buffer.byteLength).toBe(LENT_OUTPUT_LIMIT);
    c.send({ name: "NOOP" }, "command", "noop");
    queue(c, LENT_OUTPUT_LIMIT - 17);
    const over = c.pollTransmit()!;
    expect(over.length).toBe(LENT_OUTPUT_LIMIT - 11);
    expect(over.buffer.byteLength).toBe(LENT_OUTPUT_LIMIT + 1); // a new array of that room
    expect(lent.buffer).not.toBe(over.buffer);
  });

  it("has staging room for body bytes, reused from its start once its queue is drained", () => {
    expect(new Connection<string>().staging).toBeUndefined();
    const c = new Connection<string>({ lendOutput: true });
    const staging = c.staging!;
    const first = staging.take(10)!;
    first.fill(0x61);
    c.write(first);
    const large = bytes(BODY_COPY_LIMIT, 0x62);
    c.write(large);
    const second = staging.take(5)!;
    second.fill(0x63);
    c.write(second);
    expect(second.byteOffset).toBe(10);
    expect(dec.decode(c.pollTransmit()!)).toBe("a".repeat(10));
    // The third part is still queued: staging is not reused yet.
    expect(staging.take(1)!.byteOffset).toBe(15);
    expect(c.pollTransmit()).toBe(large);
    // A staged view is joined even alone, then the queue is empty: reused from its start.
    expect(dec.decode(c.pollTransmit()!)).toBe("ccccc");
    expect(c.pollTransmit()).toBeNull();
    expect(staging.take(1)!.byteOffset).toBe(0);
    c.write(staging.take(3)!.fill(0x64));
    c.discardOutput();
    expect(staging.take(1)!.byteOffset).toBe(0);
  });

  it("still hands a large body chunk over as the caller's own bytes", () => {
    const c = new Connection<string>({ lendOutput: true });
    const large = bytes(BODY_COPY_LIMIT);
    c.send({ name: "NOOP" }, "command", "noop");
    c.write(large);
    expect(dec.decode(c.pollTransmit()!)).toBe("NOOP\r\n");
    expect(c.pollTransmit()).toBe(large);
    expect(c.pollTransmit()).toBeNull();
  });

  it("writes the same bytes as without it, for any output and any polling", () => {
    type Step = { kind: "noop" } | { kind: "body"; size: number; fill: number } | { kind: "poll" };
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.constant({ kind: "noop" as const }),
      fc.constant({ kind: "poll" as const }),
      fc.record({
        kind: fc.constant("body" as const),
        size: fc.oneof(
          fc.integer({ min: 1, max: 5000 }),
          fc.integer({ min: BODY_COPY_LIMIT - 2, max: BODY_COPY_LIMIT + 2 }),
        ),
        fill: fc.integer({ min: 0, max: 255 }),
      }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        const plain = new Connection<string>();
        const lending = new Connection<string>({ lendOutput: true });
        const drain = (c: Connection<string>, into: number[][]) => {
          // Copied at once: the lent bytes are valid until the next poll only.
          for (let out = c.pollTransmit(); out !== null; out = c.pollTransmit())
            into.push([...out]);
        };
        const a: number[][] = [];
        const b: number[][] = [];
        for (const s of steps) {
          for (const c of [plain, lending]) {
            if (s.kind === "noop") c.send({ name: "NOOP" }, "command", "noop");
            else if (s.kind === "body") c.write(bytes(s.size, s.fill));
          }
          if (s.kind === "poll") {
            drain(plain, a);
            drain(lending, b);
          }
        }
        drain(plain, a);
        drain(lending, b);
        expect(b).toEqual(a);
      }),
      { numRuns: 60 },
    );
  });
});
