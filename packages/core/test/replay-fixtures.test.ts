import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  assertReplay,
  assertReplayEveryChunking,
  parseTranscript,
  replayTranscript,
} from "../src/replay/index.ts";

const dir = fileURLToPath(new URL("./transcripts/", import.meta.url));
const files = readdirSync(dir)
  .filter((name) => name.endsWith(".smtp"))
  .sort();
const decoder = new TextDecoder();

describe("replayed transcripts (whole, byte by byte, split at every offset, seeded random splits)", () => {
  it("has the four seed conversations and at least 50 more", () => {
    // Files are named by behaviour; the @source line says where each came from.
    const seeds = new Set(
      files
        .map((name) => /^@source seed example (\d)/m.exec(readFileSync(dir + name, "utf8"))?.[1])
        .filter((n) => n !== undefined),
    );
    expect([...seeds].sort()).toEqual(["1", "2", "3", "4"]);
    expect(files.length).toBeGreaterThanOrEqual(55);
  });

  it("has at least 15 fixtures adapted from real servers' recordings, each naming its source", () => {
    const adapted = files.filter((name) =>
      /^@source .*(postfix|smtp-server|haraka)-[a-z0-9-]+\.txt/m.test(
        readFileSync(dir + name, "utf8"),
      ),
    );
    expect(adapted.length).toBeGreaterThanOrEqual(15);
  });

  it("every fixture says what it is about: a comment before its first line of conversation", () => {
    for (const name of files) {
      expect(readFileSync(dir + name, "utf8"), name).toMatch(/^#/);
      expect(name).toMatch(/^[a-z0-9-]+\.smtp$/);
      // Named by behaviour, not by the server it was recorded from (that is @source's job).
      expect(name).not.toMatch(/^(postfix|exim|haraka|smtp-server|opensmtpd|dovecot|seed)-/);
    }
  });

  for (const name of files) {
    it(name, () => {
      const transcript = parseTranscript(readFileSync(dir + name, "utf8"));
      assertReplayEveryChunking(transcript, { name });
      // The runner lends the engine's output by default, as @smtp/client's driver does; the
      // bytes are the same without it.
      assertReplay(transcript, { name, lendOutput: false });
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
      // A hundred-odd replays each; the SCRAM one runs PBKDF2 (4096 rounds) in every replay,
      // so a loaded CI machine gets room.
    }, 60_000);
  }
});

describe("replayed transcripts with fast-check cuts", () => {
  it("every fixture gives the same outcome for arbitrary cuts of every batch", () => {
    // Parsed and replayed inside the test, not while collecting: engine code run at
    // collection counts as "static" for the mutation run, which then reruns every test.
    const transcripts = files.map((name) => ({
      name,
      transcript: parseTranscript(readFileSync(dir + name, "utf8")),
    }));
    const whole = new Map(
      transcripts.map(({ name, transcript }) => [name, replayTranscript(transcript)]),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...transcripts),
        fc.array(fc.array(fc.nat({ max: 600 }), { maxLength: 6 }), { minLength: 1, maxLength: 8 }),
        ({ name, transcript }, cutsPerBatch) => {
          const outcome = assertReplay(transcript, {
            name,
            chunking: (_bytes, index) => cutsPerBatch[index % cutsPerBatch.length] ?? [],
          });
          const reference = whole.get(name);
          expect(outcome.written).toEqual(reference?.written);
          expect(outcome.close?.reason).toBe(reference?.close?.reason);
          expect(outcome.close?.error?.kind).toBe(reference?.close?.error?.kind);
          expect(outcome.results.map((result) => result?.ok)).toEqual(
            reference?.results.map((result) => result?.ok),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("the README's replay example", () => {
  it("replays as documented", () => {
    const readme = readFileSync(fileURLToPath(new URL("../README.md", import.meta.url)), "utf8");
    const example = /### Example\n\n```\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const outcome = assertReplayEveryChunking(example as string, { name: "README example" });
    expect(outcome.results[0]).toMatchObject({ ok: true, accepted: ["b@example.test"] });
  });
});
