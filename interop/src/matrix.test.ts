import { describe, expect, it } from "vitest";
import { type MatrixOptions, runMatrix } from "./matrix.ts";

const options = (missingIsFailure: boolean): MatrixOptions => ({
  missingIsFailure,
  onlyCells: ["plain", "quit"],
  concurrency: 2,
  capturesFolder: undefined,
  runId: "test",
  log: () => {},
});

describe("runMatrix with a server that was not set up", () => {
  const missing = [{ id: "exim" as const, reason: "not set up (no /x/env)" }];

  it("fails every cell when a missing server is a failure (CI)", async () => {
    const result = await runMatrix(missing, options(true));
    expect(result.columns).toEqual([
      { id: "exim", label: "exim", unavailable: "not set up (no /x/env)" },
    ]);
    expect(result.cells.map((c) => c.id)).toEqual(["plain", "quit"]);
    for (const id of ["plain", "quit"]) {
      expect(result.outcomes.get(id)?.get("exim")).toEqual({
        status: "fail",
        reason: "not set up (no /x/env)",
      });
    }
  });

  it("skips them otherwise, saying why", async () => {
    const result = await runMatrix(missing, options(false));
    expect(result.outcomes.get("plain")?.get("exim")).toEqual({
      status: "n/a",
      reason: "skipped: not set up (no /x/env)",
    });
  });
});
