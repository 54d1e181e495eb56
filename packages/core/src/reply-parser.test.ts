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

  it("splits an enhanced code only at the start, of any subject and detail, also with no text after it", () => {
    expect(parseReply("250 2.10.300 done")).toStrictEqual({
      code: 250,
      enhancedCode: "2.10.300",
      lines: ["done"],
    });
    expect(parseReply("250 2.0.0")).toStrictEqual({
      code: 250,
      enhancedCode: "2.0.0",
      lines: [""],
    });
    // Not at the start: the text stays whole.
    expect(splitEnhancedCode(250, "2.2.0.0 later")).toEqual({
      enhancedCode: undefined,
      text: "2.2.0.0 later",
    });
    expect(splitEnhancedCode(250, "x.2.0.0 later")).toEqual({
      enhancedCode: undefined,
      text: "x.2.0.0 later",
    });
    // A code of the wrong class, or a code-like text that is not one: the text stays whole.
    expect(splitEnhancedCode(550, "2.1.1 odd")).toEqual({
      enhancedCode: undefined,
      text: "2.1.1 odd",
    });
    expect(splitEnhancedCode(250, "2.1.50x")).toEqual({ enhancedCode: undefined, text: "2.1.50x" });
    expect(parseReply("550 2.1.1 odd")).toStrictEqual({ code: 550, lines: ["2.1.1 odd"] });
  });

  it("a reply without an enhanced code has no enhancedCode property at all", () => {
    const reply = parseReply("250-mx.example.org\r\n250 SIZE 10");
    expect(reply).toStrictEqual({ code: 250, lines: ["mx.example.org", "SIZE 10"] });
    expect("enhancedCode" in reply).toBe(false);
  });

  it("drops the first line's enhanced code from continuation lines, and no other code", () => {
    // The first line has none: a code on a later line is text.
    expect(parseReply("250-hello\r\n250 2.0.0 ok")).toStrictEqual({
      code: 250,
      lines: ["hello", "2.0.0 ok"],
    });
    // A later line with another code keeps it as text.
    expect(parseReply("550-5.1.1 a\r\n550-5.1.1 b\r\n550 5.7.1 c")).toStrictEqual({
      code: 550,
      enhancedCode: "5.1.1",
      lines: ["a", "b", "5.7.1 c"],
    });
  });

  it("a code's three characters are digits: the neighbours of 0 and 9 are refused", () => {
    for (const bad of ["2/0 x", "2:0 x", "20/ x", "20: x", "2a0 x", "25a x"]) {
      const error = caught(() => parseReply(bad));
      expect(error).toMatchObject({
        kind: "protocol",
        detail: "bad-reply",
        message: "malformed reply line from the server",
        retryable: false,
      });
    }
    expect(parseReply("200 a").code).toBe(200);
    expect(parseReply("599 a").code).toBe(599);
    expect(parseReply("209 a").code).toBe(209);
  });

  it("an empty line, even as the very first byte, is a malformed reply", () => {
    for (const text of ["\n", "\r\n"]) {
      const parser = new ReplyParser();
      parser.push(enc.encode(text));
      expect(caught(() => parser.next())).toMatchObject({
        detail: "bad-reply",
        message: "malformed reply line from the server",
      });
    }
  });

  it("says exactly what was wrong, and that retrying will not help", () => {
    expect(caught(() => parseReply("250-a\r\n251 b\r\n"))).toMatchObject({
      kind: "protocol",
      detail: "inconsistent-code",
      message: "reply lines carry different codes",
      retryable: false,
    });
    for (const text of ["250-a\r\n", "250 a\r\n250 b\r\n"]) {
      expect(caught(() => parseReply(text))).toMatchObject({
        kind: "protocol",
        detail: "bad-reply",
        message: "not exactly one complete reply",
        retryable: false,
      });
    }
    expect(caught(() => parseReply("250 toolong", { maxLineLength: 5 }))).toMatchObject({
      detail: "line-too-long",
      message: "reply line longer than 5 octets",
      retryable: false,
    });
  });

  it("too-many-lines: maxReplyLines lines are taken, one more is refused", () => {
    const reply = (lines: number): string => `${"250-x\r\n".repeat(lines - 1)}250 last\r\n`;
    expect(parseReply(reply(3), { maxReplyLines: 3 }).lines).toEqual(["x", "x", "last"]);
    expect(caught(() => parseReply(reply(4), { maxReplyLines: 3 }))).toMatchObject({
      kind: "protocol",
      detail: "too-many-lines",
      message: "reply longer than 3 lines",
      retryable: false,
    });
  });

  it("bounded memory: a long conversation never grows the buffer, whatever the chunking", () => {
    // Every chunk ends three bytes into the next reply, so the buffer always holds unread
    // bytes when the next chunk arrives: they are moved to the front, not appended after.
    const line = `250 ${"x".repeat(1018)}\r\n`; // 1 KiB
    const chunk = enc.encode(`${line.slice(3)}250`);
    const parser = new ReplyParser();
    parser.push(enc.encode("250"));
    parser.push(chunk);
    expect(parser.next()?.reply.lines[0]).toBe("x".repeat(1018));
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 32 * 1024; i++) {
      parser.push(chunk); // 32 MiB in all
      if (parser.next() === null) throw new Error("a reply was expected");
    }
    expect(parser.buffered).toBe(3);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(4 * 1024 * 1024);
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
