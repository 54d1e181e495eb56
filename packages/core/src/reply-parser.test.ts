import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { caught } from "./errors.test-util.ts";
import type { SmtpError } from "./errors.ts";
import { type ParsedReply, parseReply, ReplyParser, splitEnhancedCode } from "./reply-parser.ts";

const enc = new TextEncoder();

function parseAll(parser: ReplyParser, chunks: Uint8Array[]): ParsedReply[] {
  const out: ParsedReply[] = [];
  for (const chunk of chunks) {
    parser.push(chunk);
    for (let r = parser.next(); r !== null; r = parser.next()) out.push(r);
  }
  return out;
}

describe("ReplyParser", () => {
  it("parses a multi-line reply with an enhanced code on every line", () => {
    const reply = parseReply("250-2.0.0 first\r\n250-2.0.0 second\r\n250 2.0.0 last\r\n");
    expect(reply).toEqual({ code: 250, enhancedCode: "2.0.0", lines: ["first", "second", "last"] });
  });

  it("accepts a bare code line and bare LF line ends", () => {
    expect(parseReply("250\n")).toEqual({ code: 250, lines: [""] });
    expect(parseReply("220-a\n220 b\n")).toEqual({ code: 220, lines: ["a", "b"] });
  });

  it("takes an enhanced code only when its class matches the reply code", () => {
    expect(parseReply("550 2.1.1 odd").enhancedCode).toBeUndefined();
    expect(parseReply("550 5.1.1 no such user")).toEqual({
      code: 550,
      enhancedCode: "5.1.1",
      lines: ["no such user"],
    });
    expect(parseReply("250 2.1.50x").enhancedCode).toBeUndefined();
    expect(splitEnhancedCode(451, "4.7.1 try later")).toEqual({
      enhancedCode: "4.7.1",
      text: "try later",
    });
  });

  it("R9 refuses lines whose codes differ within one reply", () => {
    expect(caught(() => parseReply("250-a\r\n251 b\r\n")).detail).toBe("inconsistent-code");
  });

  it("refuses malformed lines", () => {
    for (const bad of [
      "hello\r\n",
      "25 x\r\n",
      "2500 x\r\n",
      "150 x\r\n",
      "650 x\r\n",
      "250_x\r\n",
    ]) {
      const error = caught(() => parseReply(bad));
      expect(error.kind).toBe("protocol");
      expect(error.detail).toBe("bad-reply");
    }
  });

  it("parseReply refuses text that is not exactly one reply", () => {
    expect(caught(() => parseReply("250-a\r\n")).detail).toBe("bad-reply");
    expect(caught(() => parseReply("250 a\r\n250 b\r\n")).detail).toBe("bad-reply");
  });

  it("R12 line-too-long: an endless line is refused without buffering it all", () => {
    const parser = new ReplyParser({ maxLineLength: 100 });
    const chunk = enc.encode("2".repeat(64));
    let error: SmtpError | undefined;
    for (let i = 0; i < 1_000_000 && error === undefined; i++) {
      try {
        parseAll(parser, [chunk]);
      } catch (e) {
        error = e as SmtpError;
      }
      expect(parser.buffered).toBeLessThanOrEqual(100 + 1 + 64);
    }
    expect(error?.detail).toBe("line-too-long");
  });

  it("R12 line-too-long: a complete overlong line is refused too", () => {
    const parser = new ReplyParser({ maxLineLength: 10 });
    expect(caught(() => parseAll(parser, [enc.encode(`250 ${"x".repeat(20)}\r\n`)])).detail).toBe(
      "line-too-long",
    );
  });

  it("R12 too-many-lines: 100 000 continuation lines are refused", () => {
    const parser = new ReplyParser();
    const line = enc.encode("250-x\r\n");
    expect(
      caught(() => {
        for (let i = 0; i < 100_000; i++) parseAll(parser, [line]);
      }).detail,
    ).toBe("too-many-lines");
  });

  it("keeps the raw lines for the transcript", () => {
    const [parsed] = parseAll(new ReplyParser(), [enc.encode("250-mx\r\n250 SIZE 10\r\n")]);
    expect(parsed?.raw).toEqual(["250-mx", "250 SIZE 10"]);
  });

  it("reports what is held of an unfinished reply", () => {
    const parser = new ReplyParser();
    expect(parser.pending).toBe(false);
    parseAll(parser, [enc.encode("250-a\r\n")]);
    expect(parser.buffered).toBe(0);
    expect(parser.pending).toBe(true);
    parseAll(parser, [enc.encode("25")]);
    expect(parser.buffered).toBe(2);
  });

  it("gives the same replies for every chunking (property)", () => {
    const lineArb = fc.record({
      code: fc.integer({ min: 200, max: 599 }),
      texts: fc.array(
        fc.string({ maxLength: 20 }).map((s) => s.replace(/[\r\n]/g, "")),
        {
          minLength: 1,
          maxLength: 4,
        },
      ),
    });
    fc.assert(
      fc.property(
        fc.array(lineArb, { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (replies, cuts) => {
          const text = replies
            .map(({ code, texts }) =>
              texts.map((t, i) => `${code}${i === texts.length - 1 ? " " : "-"}${t}\r\n`).join(""),
            )
            .join("");
          const bytes = enc.encode(text);
          const whole = parseAll(new ReplyParser(), [bytes]);
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort(
            (a, b) => a - b,
          );
          const chunks: Uint8Array[] = [];
          let at = 0;
          for (const p of [...points, bytes.length]) {
            chunks.push(bytes.subarray(at, p));
            at = p;
          }
          expect(parseAll(new ReplyParser(), chunks)).toEqual(whole);
          const oneByOne = [...bytes].map((b) => Uint8Array.of(b));
          expect(parseAll(new ReplyParser(), oneByOne)).toEqual(whole);
          expect(whole.map((r) => r.reply.code)).toEqual(replies.map((r) => r.code));
        },
      ),
    );
  });
});
