import { readFileSync } from "node:fs";
import fc from "fast-check";
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

describe("formatTranscript's comments, exactly", () => {
  const BODY = "# The body is not recorded: put it here as the client sends it, dot-stuffed.";

  it("starts with its header, @source on one line and @job", () => {
    expect(formatTranscript([], { source: "a\r\nb\n\nc\rd", job: { quit: false } })).toBe(
      [
        "# Recorded by @smtp/core; S: lines are the server's, as received.",
        "@source a b c d",
        '@job {"quit":false}',
        "",
      ].join("\n"),
    );
  });

  /** Formats the S:/C: lines of `draft` (its comments left out) and expects `draft` back. */
  function expectDraft(draft: string[]): void {
    const entries = draft
      .filter((line) => !line.startsWith("#"))
      .map((line) => ({ direction: line.slice(0, 1) as "S" | "C", text: line.slice(3) }));
    expect(formatTranscript(entries).split("\n").slice(2, -1)).toEqual(draft);
  }

  it("marks a body only at the . that ends the data a 354 opened", () => {
    expectDraft([
      "C: .",
      "S: 250 354 is not this reply's code",
      "C: .",
      "S: 354 go",
      "C: not the end",
      BODY,
      "C: .",
      "S: 250 ok",
      "C: .",
      "S: 354-continued",
      "S: 354 reply",
      BODY,
      "C: .",
      "S: 3540 no",
      "C: .",
    ]);
  });

  it("marks the chunk of a line that starts with BDAT and a size only", () => {
    expectDraft([
      "C: NOOP BDAT 5",
      "C: BDAT x",
      "# The chunk's bytes follow this BDAT line; they are not recorded.",
      "C: BDAT 0 LAST",
    ]);
  });
});

describe("property: a draft parses back to the lines recorded", () => {
  // Any line text the recorder can give (no CR or LF), including blanks, "." and words the
  // formatter comments on, and the events it writes as markers or comments.
  const line = fc
    .oneof(
      fc.string({ unit: "grapheme", maxLength: 12 }),
      fc.constantFrom(
        "",
        " ",
        ".",
        "354 go",
        "BDAT 3 LAST",
        "AUTH PLAIN <redacted>",
        "# x",
        "-- eof --",
      ),
    )
    .map((text) => text.replace(/[\r\n]/g, " "));
  const entry = fc.oneof(
    fc.record({ direction: fc.constantFrom("S" as const, "C" as const), text: line }),
    fc.record({
      direction: fc.constant("*" as const),
      text: fc.constantFrom("TLS established", "end of stream", "an event"),
    }),
  );

  const MARKERS = new Map([
    ["TLS established", "starttls"],
    ["end of stream", "eof"],
  ]);

  it("S:/C: lines as batches of line + CRLF, TLS and end-of-stream as markers, @source on one line", () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 20 }), fc.string(), (entries, source) => {
        const parsed = parseTranscript(formatTranscript(entries, { source }));
        expect(parsed.source).toBe(source.replace(/[\r\n]+/g, " ").trim());
        const expected: string[] = [];
        let last = "";
        for (const { direction, text } of entries) {
          if (direction === "*") {
            // Markers end a batch; any other event is a comment, which does not.
            const marker = MARKERS.get(text);
            if (marker !== undefined) expected.push(marker);
            last = marker === undefined ? last : "";
          } else if (direction === last) expected[expected.length - 1] += `${text}\r\n`;
          else {
            expected.push(`${direction}${text}\r\n`);
            last = direction;
          }
        }
        const decoder = new TextDecoder();
        expect(
          parsed.steps.map((step) =>
            step.type === "server" || step.type === "client"
              ? `${step.type === "server" ? "S" : "C"}${decoder.decode(step.bytes)}`
              : step.type,
          ),
        ).toEqual(expected);
      }),
    );
  });
});
