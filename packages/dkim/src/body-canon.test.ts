import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { latin1, recorder } from "../test/support.ts";
import { BodyCanonicalizer } from "./body-canon.ts";

/** The canonical body, written plainly from RFC 6376 §3.4.3-4 (line ends as SMTP carries them). */
function reference(body: string, relaxed: boolean): string {
  let text = body.replace(/\r\n|\r|\n/g, "\r\n");
  if (text !== "" && !text.endsWith("\r\n")) text += "\r\n";
  let lines = text === "" ? [] : text.slice(0, -2).split("\r\n");
  if (relaxed) lines = lines.map((l) => l.replace(/[ \t]+/g, " ").replace(/ $/, ""));
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  if (lines.length === 0) return relaxed ? "" : "\r\n";
  return `${lines.join("\r\n")}\r\n`;
}

function canonical(chunks: readonly string[], relaxed: boolean) {
  const hash = recorder();
  const canonicalizer = new BodyCanonicalizer(relaxed, hash);
  chunks.forEach((chunk, n) => {
    // At every offset from a word boundary: the scan reads whole words where it can.
    const offset = n % 4;
    const buffer = new Uint8Array(chunk.length + offset);
    buffer.set(latin1(chunk), offset);
    canonicalizer.write(buffer.subarray(offset));
  });
  canonicalizer.end();
  return { text: hash.text(), calls: hash.calls };
}

describe("BodyCanonicalizer", () => {
  it("RFC 6376 §3.4.5: the example body, relaxed and simple", () => {
    const body = " C \r\nD \t E\r\n\r\n\r\n";
    expect(canonical([body], true).text).toBe(" C\r\nD E\r\n");
    expect(canonical([body], false).text).toBe(" C \r\nD \t E\r\n");
  });

  it.each([
    ["empty", "", "\r\n", ""],
    ["empty lines only", "\r\n\r\n\r\n", "\r\n", ""],
    ["whitespace lines only", " \r\n\t\r\n", " \r\n\t\r\n", ""],
    ["no final line end", "abc", "abc\r\n", "abc\r\n"],
    ["trailing whitespace, no final line end", "abc  ", "abc  \r\n", "abc\r\n"],
    ["empty lines before content are kept", "\r\n\r\nx\r\n\r\n", "\r\n\r\nx\r\n", "\r\n\r\nx\r\n"],
    ["bare LF and bare CR count as CRLF", "a\nb\rc\r\n\n", "a\r\nb\r\nc\r\n", "a\r\nb\r\nc\r\n"],
    ["CR CR LF is a bare CR, then CRLF", "a\r\r\nb", "a\r\n\r\nb\r\n", "a\r\n\r\nb\r\n"],
    ["a tab and runs of spaces inside a line", "a\t \tb  c", "a\t \tb  c\r\n", "a b c\r\n"],
    ["leading whitespace becomes one space", "  \ta", "  \ta\r\n", " a\r\n"],
    ["0xA0 and 0x85 are not whitespace", "a\xa0 \x85\r\n", "a\xa0 \x85\r\n", "a\xa0 \x85\r\n"],
  ])("%s", (_name, body, simple, relaxed) => {
    expect(canonical([body], false).text).toBe(simple);
    expect(canonical([body], true).text).toBe(relaxed);
    expect(reference(body, false)).toBe(simple);
    expect(reference(body, true)).toBe(relaxed);
  });

  it("gives the reference result for any content and any chunking", () => {
    const body = fc
      .array(
        fc.constantFrom(
          "a",
          "Z",
          ".",
          " ",
          "\t",
          "\r",
          "\n",
          "\r\n",
          "\r\n\r\n",
          "\xa0",
          "\xc3\xa9",
        ),
        {
          maxLength: 60,
        },
      )
      .map((parts) => parts.join(""));
    fc.assert(
      fc.property(
        body,
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.boolean(),
        (text, cuts, relaxed) => {
          const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
          const chunks: string[] = [];
          let from = 0;
          for (const point of [...points, text.length]) {
            chunks.push(text.slice(from, point));
            from = point;
          }
          expect(canonical(chunks, relaxed).text).toBe(reference(text, relaxed));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it("hashes clean lines straight from the caller's chunk, without a copy", () => {
    const line = `${"QUJD".repeat(19)}\r\n`;
    const chunk = latin1(line.repeat(100));
    for (const relaxed of [false, true]) {
      const hash = recorder();
      const canonicalizer = new BodyCanonicalizer(relaxed, hash);
      canonicalizer.write(chunk);
      // All of it but the last line end, which is held back (it may be a trailing empty line's).
      expect(hash.calls).toHaveLength(1);
      expect(hash.calls[0]!.buffer).toBe(chunk.buffer);
      expect(hash.calls[0]!.length).toBe(chunk.length - 2);
    }
  });

  it("keeps nothing of a chunk once write() returns (the caller may reuse it)", () => {
    for (const relaxed of [false, true]) {
      const hash = recorder();
      const canonicalizer = new BodyCanonicalizer(relaxed, hash);
      for (const part of ["line one  \r\nline", " two \t", "\r", "\n\r\n", "end"]) {
        const chunk = latin1(part);
        canonicalizer.write(chunk);
        chunk.fill(0x21); // reused by its owner
      }
      canonicalizer.end();
      expect(hash.text()).toBe(reference("line one  \r\nline two \t\r\n\r\nend", relaxed));
    }
  });

  it("holds back a long run of empty lines as a count, and writes it out when content follows", () => {
    const empty = "\r\n".repeat(100_000);
    expect(canonical(["a\r\n", empty, empty], true).text).toBe("a\r\n");
    const text = canonical(["a\r\n", empty, "b"], false).text;
    expect(text).toBe(`a\r\n${empty}b\r\n`);
  });
});
