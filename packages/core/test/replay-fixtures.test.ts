import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { assertReplay, assertReplayEveryChunking, parseTranscript } from "../src/index.ts";

const dir = fileURLToPath(new URL("./transcripts/", import.meta.url));
const files = readdirSync(dir)
  .filter((name) => name.endsWith(".smtp"))
  .sort();
const decoder = new TextDecoder();

describe("replayed transcripts (whole, byte by byte, split at every offset, seeded random splits)", () => {
  it("has the four seed conversations and at least 50 more", () => {
    expect(files.filter((name) => name.startsWith("seed-")).length).toBeGreaterThanOrEqual(4);
    expect(files.length).toBeGreaterThanOrEqual(55);
  });

  for (const name of files) {
    it(name, () => {
      const transcript = parseTranscript(readFileSync(dir + name, "utf8"));
      assertReplayEveryChunking(transcript, { name });
      // DATA output must not depend on how the caller cuts the body (R6). BDAT frames follow
      // the caller's pieces by design, so only DATA conversations are checked this way.
      const usesBdat = transcript.steps.some(
        (step) => step.type === "client" && /^BDAT /m.test(decoder.decode(step.bytes)),
      );
      if (!usesBdat && transcript.job.messages.length > 0) {
        for (const chunking of ["bytes", { seed: 7 }, { seed: 8 }] as const) {
          assertReplay(transcript, { name, chunking, splitBody: true });
        }
      }
    });
  }
});
