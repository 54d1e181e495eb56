import { resolve } from "node:path";
import { runStandalone } from "@smtp-examples/shared/run-example";
import { describe, expect, it } from "vitest";

describe("examples/node-attachments", () => {
  it("runs standalone against its embedded server", async () => {
    const stdout = await runStandalone(resolve(import.meta.dirname, ".."));
    expect(stdout).toMatch(/sent <[^>]+> with 4 parts: 250 /);
  });
});
