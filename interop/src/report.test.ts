import { describe, expect, it } from "vitest";
import type { Cell } from "./cells/cell.ts";
import type { MatrixResult } from "./matrix.ts";
import { fail, notApplicable, pass, verdict } from "./outcome.ts";
import { renderMarkdown, tally } from "./report.ts";
import type { ServerId } from "./servers.ts";

const cell = (id: string, title: string): Cell => ({
  id,
  title,
  protocols: ["smtp"],
  run: async () => pass(),
});

function result(): MatrixResult {
  const outcomes = new Map([
    [
      "a",
      new Map<ServerId, ReturnType<typeof pass>>([
        ["postfix", pass("fine")],
        ["exim", verdict(["x | y", "z"])],
      ]),
    ],
    [
      "b",
      new Map([
        ["postfix", notApplicable("LMTP")],
        ["exim", fail("broken")],
      ]),
    ],
  ]) as MatrixResult["outcomes"];
  return {
    columns: [
      { id: "postfix", label: "Postfix 3.7", unavailable: undefined },
      { id: "exim", label: "Exim 4.96", unavailable: undefined },
    ],
    cells: [cell("a", "cell A"), cell("b", "cell B")],
    outcomes,
    captures: new Map([["a/exim", "interop/captures/exim-a.txt"]]),
    durationMs: 1500,
  };
}

describe("renderMarkdown", () => {
  it("writes one row per cell, numbered failures with details and captures, and notes", () => {
    const text = renderMarkdown(result());
    expect(text).toContain("| cell | Postfix 3.7 | Exim 4.96 |");
    expect(text).toContain("| cell A (`a`) | pass | **FAIL** [1] |");
    expect(text).toContain("| cell B (`b`) | – | **FAIL** [2] |");
    expect(text).toContain(
      "1. **exim / a**: x \\| y (+1 more) (capture: `interop/captures/exim-a.txt`)",
    );
    expect(text).toContain("   - x \\| y\n   - z");
    expect(text).not.toContain("   - broken");
    expect(text).toContain("2. **exim / b**: broken");
    expect(text).toContain("- postfix / a: fine");
  });

  it("tallies passes, failures and cells that do not apply", () => {
    expect(tally(result())).toEqual({ pass: 1, fail: 2, notApplicable: 1 });
    expect(renderMarkdown(result())).toContain("1 passed, 2 failed, 1 not applicable; 1.5 s.");
  });
});
