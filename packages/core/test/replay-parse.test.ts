import { describe, expect, it } from "vitest";
import { SmtpError } from "../src/index.ts";
import { parseTranscript } from "../src/replay/index.ts";

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

describe("parseTranscript", () => {
  it("reads metadata, merges consecutive lines into batches and keeps markers in order", () => {
    const transcript = parseTranscript(
      [
        "# a comment",
        "@source unit test",
        '@job {"starttls":"never","messages":[{"from":"a@example.test","to":["b@example.test"],"body":"x"}]}',
        '@expect {"ok":true}',
        "",
        "S: 220 hi",
        "C: EHLO client.example.test",
        "S: 250-one",
        "# comments do not split a batch",
        "S: 250 two",
        'S= "extra\\r\\n"',
        "C:",
        'C= "raw"',
        "-- starttls --",
        "-- timeout --",
        "-- noop --",
        "-- eof --",
        "-- closed --",
        "-- body --",
        "-- error protocol/starttls-injection --",
        "-- error timeout --",
      ].join("\n"),
    );
    expect(transcript.source).toBe("unit test");
    expect(transcript.job.ehloName).toBe("client.example.test");
    expect(transcript.job.servername).toBe("mx.example.test");
    expect(transcript.job.starttls).toBe("never");
    expect(transcript.job.quit).toBe(true);
    expect(transcript.expect).toEqual([{ ok: true }]);
    const summary = transcript.steps.map((step) =>
      step.type === "server" || step.type === "client"
        ? `${step.type}:${text(step.bytes)}`
        : step.type,
    );
    expect(summary).toEqual([
      "server:220 hi\r\n",
      "client:EHLO client.example.test\r\n",
      "server:250-one\r\n250 two\r\nextra\r\n",
      "client:\r\nraw",
      "starttls",
      "timeout",
      "noop",
      "eof",
      "closed",
      "body",
      "error",
      "error",
    ]);
    expect(transcript.steps[10]).toMatchObject({
      kind: "protocol",
      detail: "starttls-injection",
      line: 20,
    });
    expect(transcript.steps[11]).toMatchObject({ kind: "timeout", detail: undefined });
    expect(transcript.steps[2]?.line).toBe(8);
  });

  it("reads C<< blocks verbatim, and @body blocks as the bodies of messages without one", () => {
    const transcript = parseTranscript(
      [
        '@job {"messages":[{"from":"","to":["b@example.test"]},{"from":"","to":["c@example.test"],"body":"inline"}]}',
        "@body<<EOB",
        "# not a comment inside a block",
        "",
        "EOB",
        "C<<EOD",
        "..stuffed",
        "  spaces kept  ",
        ".",
        "EOD",
      ].join("\r\n"),
    );
    expect(transcript.job.messages.map((message) => message.body)).toEqual([
      "# not a comment inside a block\r\n\r\n",
      "inline",
    ]);
    expect(transcript.steps).toHaveLength(1);
    expect(text((transcript.steps[0] as { bytes: Uint8Array }).bytes)).toBe(
      "..stuffed\r\n  spaces kept  \r\n.\r\n",
    );
  });

  it("reads the expected wait of a -- timeout MS -- marker", () => {
    expect(parseTranscript("@job {}\n-- timeout 30000 --").steps).toEqual([
      { type: "timeout", after: 30000, line: 2 },
    ]);
  });

  it("turns automatic QUIT off when the file has a -- quit -- marker, or when @job says so", () => {
    expect(parseTranscript("@job {}\n-- quit --").job.quit).toBe(false);
    expect(parseTranscript('@job {"quit":false}').job.quit).toBe(false);
    expect(parseTranscript("@job {}").job.quit).toBe(true);
  });

  it("keeps an array @expect as one entry per message", () => {
    const transcript = parseTranscript(
      '@job {"messages":[{"from":"","to":["a@x.test"],"body":""},{"from":"","to":["b@x.test"],"body":""}]}\n@expect [{"ok":true},{"ok":false}]',
    );
    expect(transcript.expect).toEqual([{ ok: true }, { ok: false }]);
  });

  const bad: [string, string, RegExp][] = [
    ["no @job", "S: 220 hi", /@job is missing/],
    ["metadata after a step", "S: 220 hi\n@job {}", /line 2: metadata must come before/],
    ["metadata after a marker", "-- eof --\n@job {}", /line 2: metadata must come before/],
    ["an unknown metadata key", "@jobs {}", /unknown metadata "@jobs"/],
    ["@job twice", "@job {}\n@job {}", /@job given twice/],
    ["@expect twice", "@job {}\n@expect {}\n@expect {}", /@expect given twice/],
    ["bad JSON", "@job {nope}", /line 1: @job is not valid JSON/],
    ["@job not an object", "@job []", /@job must be a JSON object/],
    ["an unknown @job field", '@job {"tls":"none"}', /unknown @job field "tls"/],
    ["messages not an array", '@job {"messages":{}}', /messages must be an array/],
    ["quit not a boolean", '@job {"quit":"yes"}', /quit must be a boolean/],
    ["empty randomBytes", '@job {"randomBytes":""}', /randomBytes must be a non-empty string/],
    ["a message that is not an object", '@job {"messages":[1]}', /must be an object/],
    [
      "an unknown message field",
      '@job {"messages":[{"from":"","to":[],"body":"","cc":[]}]}',
      /unknown message field "cc"/,
    ],
    ["a message without from", '@job {"messages":[{"to":[],"body":""}]}', /from must be a string/],
    [
      "a message with bad to",
      '@job {"messages":[{"from":"","to":"a","body":""}]}',
      /to must be an array/,
    ],
    [
      "a message with a bad body",
      '@job {"messages":[{"from":"","to":[],"body":1}]}',
      /body must be a string/,
    ],
    [
      "a message without any body",
      '@job {"messages":[{"from":"","to":[]}]}',
      /no @body block is left/,
    ],
    ["a @body block too many", "@job {}\n@body<<E\nx\nE", /more @body blocks than messages/],
    ["an @expect count mismatch", "@job {}\n@expect [{}]", /@expect has 1 entries for 0 messages/],
    ["S: without a space", "@job {}\nS:220", /line 2: "S:" must be followed by a space/],
    ["S= with a number", "@job {}\nS= 5", /one JSON string/],
    ["S= with bad JSON", '@job {}\nS= "unterminated', /not valid JSON/],
    ["an unclosed block", "@job {}\nC<<EOD\nx", /line 2: block "EOD" is never closed/],
    ["an unknown marker", "@job {}\n-- reboot --", /unknown marker "-- reboot --"/],
    ["a marker with an argument", "@job {}\n-- eof now --", /takes no argument/],
    ["an error marker without kind", "@job {}\n-- error --", /needs a kind/],
    ["a timeout marker with a word", "@job {}\n-- timeout soon --", /takes milliseconds/],
    ["a line it cannot read", `@job {}\nX: ${"y".repeat(60)}`, /line 2: cannot read "X: y+…"/],
  ];
  for (const [what, source, message] of bad) {
    it(`refuses ${what} with an invalid-input SmtpError naming the line`, () => {
      let caught: unknown;
      try {
        parseTranscript(source);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(SmtpError);
      expect((caught as SmtpError).kind).toBe("invalid-input");
      expect((caught as SmtpError).detail).toBe("transcript-syntax");
      expect((caught as SmtpError).message).toMatch(message);
    });
  }
});

/** The message parseTranscript refuses `source` with (after checking it is a syntax error). */
function refusal(source: string): string {
  try {
    parseTranscript(source);
  } catch (error) {
    expect(error).toBeInstanceOf(SmtpError);
    expect((error as SmtpError).detail).toBe("transcript-syntax");
    return (error as SmtpError).message;
  }
  throw new Error(`parseTranscript accepted ${JSON.stringify(source)}`);
}

/** JSON.parse's own words for `text`, which the parser quotes. */
function jsonError(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`${text} is valid JSON`);
}

describe("parseTranscript's exact words and limits", () => {
  it("names what is not valid JSON: an exact-bytes line, @job or @expect", () => {
    expect(refusal('@job {}\nC= "unterminated')).toBe(
      `transcript line 2: an exact-bytes line is not valid JSON (${jsonError('"unterminated')})`,
    );
    expect(refusal("@job {}\n@expect {nope}")).toBe(
      `transcript line 2: @expect is not valid JSON (${jsonError("{nope}")})`,
    );
    // A metadata line without a value has the empty text as its value.
    expect(refusal("@job")).toBe(`transcript line 1: @job is not valid JSON (${jsonError("")})`);
  });

  it("reads a metadata key without a value as an empty value", () => {
    expect(parseTranscript("@source\n@job {}").source).toBe("");
    expect(parseTranscript("@source  spaced out  \n@job {}").source).toBe("spaced out");
  });

  it("ignores blanks around the JSON string of S= and C= lines, beyond JSON's own", () => {
    const [step] = parseTranscript('@job {}\nS=\t"a\\r\\n"\u00a0\u000b').steps;
    expect(text((step as { bytes: Uint8Array }).bytes)).toBe("a\r\n");
  });

  it("refuses a message whose recipients are not all strings", () => {
    for (const to of ["[1]", '["b@x.test",2]', '["b@x.test",null]']) {
      expect(refusal(`@job {"messages":[{"from":"","to":${to},"body":""}]}`)).toBe(
        "transcript line 1: message.to must be an array of strings",
      );
    }
    expect(
      parseTranscript('@job {"messages":[{"from":"","to":[],"body":""}]}').job.messages,
    ).toEqual([{ from: "", to: [], body: "" }]);
  });

  it("takes randomBytes as a non-empty string only", () => {
    for (const value of ['""', "5", "true", '["a"]']) {
      expect(refusal(`@job {"randomBytes":${value}}`)).toBe(
        "transcript line 1: @job.randomBytes must be a non-empty string",
      );
    }
    expect(parseTranscript('@job {"randomBytes":"x"}').job.randomBytes).toBe("x");
  });

  it("opens a C<< block only on a line that is exactly C<<TAG", () => {
    expect(refusal("@job {}\nxC<<EOD\nEOD")).toBe('transcript line 2: cannot read "xC<<EOD"');
    expect(refusal("@job {}\nC<<EOD x\nEOD")).toBe('transcript line 2: cannot read "C<<EOD x"');
    expect(parseTranscript("@job {}\nC<<EOD\nEOD").steps).toEqual([
      { type: "client", bytes: new Uint8Array(0), line: 2 },
    ]);
  });

  it("takes only digits as the milliseconds of -- timeout MS --", () => {
    for (const argument of ["x5", "5x", "1-2", "1/2"]) {
      expect(refusal(`@job {}\n-- timeout ${argument} --`)).toBe(
        "transcript line 2: -- timeout MS -- takes milliseconds",
      );
    }
    expect(parseTranscript("@job {}\n-- timeout 0 --").steps).toEqual([
      { type: "timeout", after: 0, line: 2 },
    ]);
  });

  it("quotes a line it cannot read whole up to 40 characters, its first 40 and … beyond", () => {
    const line40 = `X: ${"y".repeat(37)}`;
    expect(refusal(`@job {}\n${line40}`)).toBe(`transcript line 2: cannot read "${line40}"`);
    expect(refusal(`@job {}\n${line40}z`)).toBe(`transcript line 2: cannot read "${line40}…"`);
    expect(refusal(`@job {}\n${line40.slice(0, 39)}`)).toBe(
      `transcript line 2: cannot read "${line40.slice(0, 39)}"`,
    );
  });
});
