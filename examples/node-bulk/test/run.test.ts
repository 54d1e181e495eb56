import { resolve } from "node:path";
import { runStandalone } from "@smtp-examples/shared/run-example";
import { describe, expect, it } from "vitest";

describe("examples/node-bulk", () => {
  it("runs standalone against its embedded server", async () => {
    const stdout = await runStandalone(resolve(import.meta.dirname, ".."), { COUNT: "120" });
    expect(stdout).toMatch(/done: 120 sent, 0 failed/);
    expect(stdout).toContain("sent 50/120, failed 0");
  });
});
