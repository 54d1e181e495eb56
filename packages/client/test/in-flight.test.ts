import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InFlight } from "../src/in-flight.ts";
import type { QueuedSend } from "../src/job.ts";

/** A stand-in message: only its identity matters here. */
const send = (n: number) => ({ n }) as unknown as QueuedSend;

describe("InFlight", () => {
  it("finds, takes and counts messages by job id, in and out of order", () => {
    const held = new InFlight();
    const [a, b, c] = [send(1), send(2), send(3)];
    held.add(1, a);
    held.add(2, b);
    held.add(3, c);
    expect(held.size).toBe(3);
    expect(held.get(2)).toBe(b);
    expect(held.take(2)).toBe(b);
    expect(held.get(2)).toBeUndefined();
    expect(held.take(2)).toBeUndefined();
    expect(held.take(1)).toBe(a);
    expect(held.size).toBe(1);
    expect(held.takeAll()).toEqual([c]);
    expect(held.size).toBe(0);
    expect(held.get(3)).toBeUndefined();
    expect(held.takeAll()).toEqual([]);
  });

  it("behaves as a Map from job id to message, for any sequence of adds and takes", () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("add" as const), id: fc.nat(20) }),
      fc.record({ kind: fc.constant("take" as const), id: fc.nat(20) }),
      fc.record({ kind: fc.constant("get" as const), id: fc.nat(20) }),
      fc.record({ kind: fc.constant("takeAll" as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const held = new InFlight();
        const model = new Map<number, QueuedSend>();
        for (const o of ops) {
          if (o.kind === "add") {
            // Job ids are unique within a session: never added twice while held.
            if (model.has(o.id)) continue;
            const s = send(o.id);
            held.add(o.id, s);
            model.set(o.id, s);
          } else if (o.kind === "take") {
            expect(held.take(o.id)).toBe(model.get(o.id));
            model.delete(o.id);
          } else if (o.kind === "get") {
            expect(held.get(o.id)).toBe(model.get(o.id));
          } else {
            expect(held.takeAll()).toEqual([...model.values()]);
            model.clear();
          }
          expect(held.size).toBe(model.size);
        }
      }),
    );
  });
});
