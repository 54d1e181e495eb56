import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { assertReplay, assertReplayEveryChunking } from "../src/replay/assert-replay.ts";
import { parseTranscript } from "../src/replay/parse-transcript.ts";
import { Session } from "../src/session.ts";

const dir = fileURLToPath(new URL("./transcripts/", import.meta.url));
const files = readdirSync(dir)
  .filter((name) => name.endsWith(".smtp"))
  .sort();
const createSession = (options: ConstructorParameters<typeof Session>[0]) => new Session(options);

describe("replayed transcripts", () => {
  it("has the seed conversations and at least 50 more", () => {
    expect(files.filter((name) => name.startsWith("seed-")).length).toBeGreaterThanOrEqual(4);
    expect(files.length).toBeGreaterThanOrEqual(55);
  });

  for (const name of files) {
    it(name, () => {
      const transcript = parseTranscript(readFileSync(dir + name, "utf8"));
      assertReplayEveryChunking(transcript, { createSession, name });
      // The body may be handed over in any pieces; DATA output must not depend on them
      // (BDAT frames follow the caller's pieces, so only DATA bodies are split).
      if (
        !transcript.steps.some(
          (step) => step.type === "client" && /^BDAT /m.test(new TextDecoder().decode(step.bytes)),
        )
      ) {
        assertReplay(transcript, { createSession, name, chunking: "bytes", splitBody: true });
      }
    });
  }
});
