import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { TranscriptEntry } from "../src/index.ts";
import {
  assertReplay,
  formatTranscript,
  parseTranscript,
  replayTranscript,
} from "../src/replay/index.ts";

const read = (name: string): string =>
  readFileSync(new URL(`./transcripts/${name}`, import.meta.url), "utf8");

/** Replays a fixture, recording the engine's transcript lines. */
function record(name: string): { entries: TranscriptEntry[]; job: Record<string, unknown> } {
  const text = read(name);
  const entries: TranscriptEntry[] = [];
  replayTranscript(parseTranscript(text), { transcript: (entry) => entries.push(entry) });
  const job = JSON.parse(/^@job (.*)$/m.exec(text)?.[1] ?? "{}") as Record<string, unknown>;
  return { entries, job };
}

describe("formatTranscript", () => {
  for (const name of [
    "starttls-then-ehlo-again-auth-appears.smtp",
    "requiretls-advertised-after-tls.smtp",
    "starttls-220-go-ahead.smtp",
    "greeting-multiline.smtp",
    "helo-fallback-500.smtp",
    "ehlo-address-literal.smtp",
  ]) {
    it(`turns a recording of ${name} into a transcript that replays`, () => {
      const { entries, job } = record(name);
      const draft = formatTranscript(entries, {
        source: `recorded from ${name}\nsecond line`,
        job,
      });
      expect(draft).toContain(`@source recorded from ${name} second line\n`);
      assertReplay(draft, { name: `draft of ${name}` });
    });
  }

  it("marks what the recorder never sees: AUTH payloads and message bodies", () => {
    const { entries, job } = record("auth-plain-initial-response-bdat-last.smtp");
    const draft = formatTranscript(entries, { job });
    expect(draft).toContain("-- starttls --\nC: EHLO client.example.test\n");
    expect(draft).toContain(
      "# The recorder redacts AUTH payloads: write the one for your test credentials.\nC: AUTH PLAIN <redacted>\n",
    );
    expect(draft).toContain(
      "# The chunk's bytes follow this BDAT line; they are not recorded.\nC: BDAT 25 LAST\n",
    );
    expect(draft).not.toContain("AHVzZXJAZXhhbXBsZS50ZXN0AHBhc3N3b3Jk");
    const data = formatTranscript(record("pipelined-envelope-one-write.smtp").entries);
    expect(data).toContain(
      "S: 354 End data with <CR><LF>.<CR><LF>\n# The body is not recorded: put it here as the client sends it, dot-stuffed.\nC: .\n",
    );
    expect(data).toContain("@job {}\n");
  });

  it("writes end-of-stream as a marker, other events and empty lines as they are", () => {
    const draft = formatTranscript([
      { direction: "S", text: "" },
      { direction: "C", text: "" },
      { direction: "*", text: "something else" },
      { direction: "*", text: "end of stream" },
    ]);
    expect(draft.split("\n").slice(2)).toEqual(["S:", "C:", "# something else", "-- eof --", ""]);
  });
});
