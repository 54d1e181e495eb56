import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseRate } from "./rate.ts";

describe("parseRate", () => {
  it("reads n/unit and n/countunit", () => {
    expect(parseRate("10/s")).toEqual({ messages: 10, interval: 1000 });
    expect(parseRate("600/m")).toEqual({ messages: 600, interval: 60_000 });
    expect(parseRate("5/2s")).toEqual({ messages: 5, interval: 2000 });
    expect(parseRate("1000/h")).toEqual({ messages: 1000, interval: 3_600_000 });
    expect(parseRate("1/250ms")).toEqual({ messages: 1, interval: 250 });
  });

  it("refuses zero, missing parts and other units", () => {
    for (const bad of ["0/s", "10/0s", "10", "/s", "10/d", "ten/s", "10/s/s", "-1/s"]) {
      expect(() => parseRate(bad), bad).toThrow(expect.objectContaining({ kind: "invalid-input" }));
    }
  });

  it("any positive count per any positive number of seconds (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 1, max: 1e4 }), (n, s) => {
        expect(parseRate(`${n}/${s}s`)).toEqual({ messages: n, interval: s * 1000 });
      }),
    );
  });
});
