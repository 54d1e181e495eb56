import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Action,
  type SendJob,
  Session,
  type SessionOptions,
  SmtpError,
} from "../src/index.ts";
import { assertReplay, parseTranscript } from "../src/replay/index.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = (text: string): Uint8Array => encoder.encode(text);
const KINDS = new Set([
  "invalid-input",
  "connection",
  "timeout",
  "tls",
  "tls-required",
  "auth",
  "auth-unavailable",
  "insecure-auth",
  "rejected",
  "size",
  "protocol",
  "aborted",
]);

interface Driven {
  written: Uint8Array[];
  close: Extract<Action, { type: "close" }> | undefined;
  results: Extract<Action, { type: "result" }>[];
  session: Session;
}

/**
 * Drives a Session as a real driver would, checking the invariants after every input:
 * no exception escapes, every error is a typed SmtpError, no wait without a deadline.
 */
function drive(
  options: Partial<SessionOptions>,
  server: Uint8Array[],
  jobs: { job: SendJob; body: Uint8Array[] }[],
  eof = true,
): Driven {
  const session = new Session({
    ehloName: "client.example.test",
    servername: "mx.example.test",
    starttls: "never",
    ...options,
  });
  const out: Driven = { written: [], close: undefined, results: [], session };
  const bodies = new Map<number, Uint8Array[]>();
  let now = 0;
  const drain = (): void => {
    for (;;) {
      let chunk = session.pollTransmit();
      while (chunk !== null) {
        expect(out.close, "bytes after close").toBeUndefined();
        out.written.push(chunk.slice());
        chunk = session.pollTransmit();
      }
      const action = session.pollAction();
      if (action === null) break;
      expect(out.close, "an action after close").toBeUndefined();
      if (action.type === "need-body") {
        for (const piece of bodies.get(action.id) ?? []) {
          session.bodyChunk(action.id, piece, now);
          drain();
        }
        session.bodyEnd(action.id, now);
      } else if (action.type === "result") {
        out.results.push(action);
        if (!action.result.ok) {
          expect(action.result.error).toBeInstanceOf(SmtpError);
          expect(KINDS.has(action.result.error.kind)).toBe(true);
        }
      } else if (action.type === "close") {
        out.close = action;
        if (action.error) {
          expect(action.error).toBeInstanceOf(SmtpError);
          expect(KINDS.has(action.error.kind)).toBe(true);
        }
      }
    }
    if (session.state !== "closed" && !session.idle) {
      expect(
        session.pollTimeout(),
        `a wait without deadline in state ${session.state}`,
      ).not.toBeNull();
    }
  };
  session.connected(now);
  drain();
  for (const { job, body } of jobs) {
    try {
      bodies.set(session.send(job, now), body);
    } catch (error) {
      // Only a typed refusal of the caller's input, before any byte of it is written.
      expect(error).toBeInstanceOf(SmtpError);
      expect((error as SmtpError).kind).toBe("invalid-input");
    }
    drain();
  }
  for (const chunk of server) {
    if (out.close) break;
    now += 1;
    session.receiveData(chunk, now);
    drain();
  }
  if (eof && !out.close) {
    session.receiveEof(now);
    drain();
    expect(out.close, "end-of-stream always closes").toBeDefined();
  }
  return out;
}

/** Cuts bytes at the given offsets. */
function cut(data: Uint8Array, offsets: number[]): Uint8Array[] {
  const sorted = [...new Set(offsets.map((offset) => offset % (data.length + 1)))].sort(
    (a, b) => a - b,
  );
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (const offset of sorted) {
    if (offset > start) pieces.push(data.subarray(start, offset));
    start = Math.max(start, offset);
  }
  if (start < data.length) pieces.push(data.subarray(start));
  return pieces;
}

const JOB: SendJob = { from: "a@example.test", to: ["b@example.test", "c@example.test"] };
const replyLine = fc
  .tuple(
    fc.constantFrom(
      220,
      221,
      235,
      250,
      251,
      334,
      354,
      421,
      450,
      452,
      500,
      502,
      530,
      535,
      550,
      554,
      999,
      12,
    ),
    fc.constantFrom(" ", "-", "", "x"),
    fc.constantFrom(
      "",
      "ok",
      "2.1.0 Ok",
      "PIPELINING",
      "AUTH PLAIN",
      "SIZE 10",
      "CHUNKING",
      "STARTTLS",
      "8BITMIME",
    ),
    fc.constantFrom("\r\n", "\n", "\r", ""),
  )
  .map(([code, sep, text, end]) => `${code}${sep}${text}${end}`);
const serverStream = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc.array(replyLine, { maxLength: 30 }).map((lines) => bytes(lines.join(""))),
  fc
    .tuple(fc.array(replyLine, { maxLength: 20 }), fc.nat())
    .map(([lines, at]) => bytes(lines.join("")).subarray(0, at % (lines.join("").length + 1))),
  fc.constant(
    bytes(
      "220 hi\r\n250-x\r\n250 PIPELINING\r\n250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n250 done\r\n221 bye\r\n",
    ),
  ),
);

describe("property: any server bytes end in progress or a typed error", () => {
  it("never throws anything but a typed error, never waits without a deadline, always closes at end-of-stream", () => {
    fc.assert(
      fc.property(
        serverStream,
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.boolean(),
        (stream, offsets, lmtp) => {
          drive({ lmtp }, cut(stream, offsets), [
            { job: JOB, body: [bytes("Subject: x\r\n\r\nbody\r\n")] },
          ]);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("R12 bounded buffering: an endless line is refused once it passes the line limit", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 16, max: 2000 }),
        fc.integer({ min: 1, max: 700 }),
        fc.boolean(),
        (limit, piece, greeted) => {
          const prefix = greeted ? "220 hi\r\n" : "";
          const chunks = [bytes(prefix)];
          // Far more than the limit, in pieces; the engine must stop reading long before the end.
          for (let sent = 0; sent < limit * 4 + 2000; sent += piece)
            chunks.push(new Uint8Array(piece).fill(0x41));
          const driven = drive({ limits: { maxLineLength: limit } }, chunks, [], false);
          expect(driven.close?.error?.kind).toBe("protocol");
          expect(driven.close?.error?.detail).toBe("line-too-long");
        },
      ),
      { numRuns: 60 },
    );
  });

  it("R12 bounded buffering: endless continuation lines are refused after the line-count limit", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), (limit) => {
        const chunks = [bytes("220 hi\r\n")];
        for (let i = 0; i < limit + 5; i++) chunks.push(bytes("250-more\r\n"));
        const driven = drive({ limits: { maxReplyLines: limit } }, chunks, [], false);
        expect(driven.close?.error?.detail).toBe("too-many-lines");
      }),
      { numRuns: 40 },
    );
  });
});

/** Bare CR or LF anywhere in the client's command lines. */
function hasBareCrOrLf(text: string): boolean {
  return /\r(?!\n)|(?<!\r)\n/.test(text);
}

describe("property: no line the client writes has a bare CR or LF", () => {
  const field = fc.string({
    unit: fc.constantFrom("a", "b", "@", ".", "-", "\r", "\n", "\0", " ", "é", ":", ">", "x"),
  });
  it("holds for any envelope, EHLO name and body (or the input is refused before any byte)", () => {
    fc.assert(
      fc.property(
        field,
        fc.array(field, { minLength: 1, maxLength: 3 }),
        fc.string({ unit: fc.constantFrom("a", ".", "\r", "\n", "\r\n", "é") }),
        fc.constantFrom("client.example.test", "bad\r\nname", "[192.0.2.1]"),
        fc.array(fc.nat(), { maxLength: 6 }),
        (from, to, body, ehloName, offsets) => {
          let driven: Driven;
          try {
            driven = drive(
              { ehloName },
              // One reply per read, each after the client wrote its command (a real server's pace).
              [
                "220 hi",
                "250-mx\r\n250 PIPELINING",
                "250 ok",
                "250 ok",
                "250 ok",
                "250 ok",
                "354 go",
                "250 done",
              ].map((reply) => bytes(`${reply}\r\n`)),
              [{ job: { from, to }, body: cut(bytes(body), offsets) }],
            );
          } catch (error) {
            // Only the constructor may refuse an EHLO name, with a typed error.
            expect(error).toBeInstanceOf(SmtpError);
            expect((error as SmtpError).kind).toBe("invalid-input");
            return;
          }
          expect(
            hasBareCrOrLf(
              decoder.decode(Uint8Array.from(driven.written.flatMap((chunk) => [...chunk]))),
            ),
          ).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});

/** What the DATA section must be for a body: CRLF everywhere, dot-stuffed, CRLF.CRLF at the end. */
function expectedData(body: string): string {
  const normalised = body.replace(/\r\n|\r|\n/g, "\r\n");
  const terminated =
    normalised === "" || normalised.endsWith("\r\n") ? normalised : `${normalised}\r\n`;
  return `${terminated.replace(/^\./gm, "..")}.\r\n`;
}

/** A conversation that sends `body` with DATA and expects exactly `wire` as the data section. */
function dataTranscript(body: string, wire: string) {
  return parseTranscript(`@job {"starttls":"never","messages":[{"from":"a@example.test","to":["b@example.test"],"body":${JSON.stringify(body)}}]}
@expect {"ok":true}
S: 220 hi
C: EHLO client.example.test
S: 250-mx
S: 250 PIPELINING
C: MAIL FROM:<a@example.test>
C: RCPT TO:<b@example.test>
C: DATA
S: 250 ok
S: 250 ok
S: 354 go
C= ${JSON.stringify(wire)}
S: 250 done
C: QUIT
S: 221 bye
`);
}

describe("property: R6 no body produces a premature end-of-data", () => {
  it("R6 smuggling: the DATA section is the normalised, dot-stuffed body, for any body and any cut", () => {
    const body = fc.string({
      unit: fc.constantFrom(
        "a",
        ".",
        "\r",
        "\n",
        "\r\n",
        "\n.",
        ".\r\n",
        "MAIL FROM:<x>",
        "\u00e9",
      ),
      minLength: 1,
      maxLength: 40,
    });
    fc.assert(
      fc.property(body, fc.array(fc.nat(), { maxLength: 8 }), (text, offsets) => {
        const data = expectedData(text);
        // The terminator occurs once, at the very end.
        const framed = `\r\n${data}`;
        expect(framed.indexOf("\r\n.\r\n")).toBe(framed.length - 5);
        assertReplay(dataTranscript(text, data), {
          chunking: (piece) => offsets.map((offset) => offset % (piece.length + 1)),
          splitBody: true,
        });
      }),
      { numRuns: 300 },
    );
  });

  it("R6 smuggling: golden bodies replay identically for every cut of the body", () => {
    const golden: [string, string][] = [
      ["a\n.\r\nMAIL FROM:<x>", "a\r\n..\r\nMAIL FROM:<x>\r\n.\r\n"],
      ["a\r.\r\n", "a\r\n..\r\n.\r\n"],
      ["a\n.\n", "a\r\n..\r\n.\r\n"],
      [".lead", "..lead\r\n.\r\n"],
      ["no eol", "no eol\r\n.\r\n"],
    ];
    for (const [body, wire] of golden) {
      expect(expectedData(body)).toBe(wire);
      for (let at = 1; at < body.length; at++) {
        assertReplay(dataTranscript(body, wire), {
          chunking: { splitAt: at },
          splitBody: true,
          name: JSON.stringify(body),
        });
      }
    }
  });
});
