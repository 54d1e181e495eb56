import { describe, expect, it } from "vitest";
import { seconds, spread } from "./stats.ts";

describe("stats", () => {
  it("seconds() scales a spread of milliseconds and keeps its count", () => {
    expect(seconds(spread([1500, 500, 2500]))).toEqual({ median: 1.5, min: 0.5, max: 2.5, n: 3 });
    expect(seconds(spread([])).n).toBe(0);
  });
});
