import { describe, expect, it } from "vitest";
import { binary, latin1 } from "../test/support.ts";
import { DkimError } from "./errors.ts";
import { HeaderSection, MAX_HEADER_SECTION } from "./header-section.ts";

/** Feeds `chunks`; returns the header text and the rest (the body's start). */
function split(chunks: readonly string[]): { header: string; body: string; ended: boolean } {
  const section = new HeaderSection();
  let body = "";
  let inBody = false;
  for (const chunk of chunks) {
    if (inBody) {
      body += chunk;
      continue;
    }
    const start = section.write(latin1(chunk));
    if (start >= 0) {
      inBody = true;
      body += chunk.slice(start);
    }
  }
  if (!inBody) section.end();
  return { header: section.text(), body, ended: inBody };
}

describe("HeaderSection", () => {
  it.each([
    ["CRLF", ["A: 1\r\nB: 2\r\n\r\nbody"], "A: 1\r\nB: 2\r\n", "body"],
    ["LF", ["A: 1\nB: 2\n\nbody\n"], "A: 1\r\nB: 2\r\n", "body\n"],
    ["CR", ["A: 1\rB: 2\r\rbody"], "A: 1\r\nB: 2\r\n", "body"],
    [
      "CR at a chunk's end, LF at the next one's start",
      ["A: 1\r", "\n\r", "\nbody"],
      "A: 1\r\n",
      "body",
    ],
    ["the empty line's CR at a chunk's end, then body", ["A: 1\r\n\r", "body"], "A: 1\r\n", "body"],
    ["one octet at a time", [..."A: 1\r\n\tfolded\r\n\r\nxy"], "A: 1\r\n\tfolded\r\n", "xy"],
    ["no header at all (the message starts with the empty line)", ["\r\nbody"], "", "body"],
    ["8-bit octets pass as they are", ["S: \xc3\xa0\xff\r\n\r\n"], "S: \xc3\xa0\xff\r\n", ""],
  ])("splits at the empty line: %s", (_name, chunks, header, body) => {
    expect(split(chunks)).toEqual({ header, body, ended: true });
  });

  it.each([
    ["no empty line", ["A: 1\r\nB: 2"], "A: 1\r\nB: 2\r\n"],
    ["a last line end only", ["A: 1\r\n"], "A: 1\r\n"],
    ["a last CR only", ["A: 1\r"], "A: 1\r\n"],
    ["nothing at all", [], ""],
  ])("a message that ends in its header section: %s", (_name, chunks, header) => {
    expect(split(chunks)).toEqual({ header, body: "", ended: false });
  });

  it(`holds at most ${MAX_HEADER_SECTION} octets (at the limit, and one over)`, () => {
    const field = (length: number) => `X: ${"a".repeat(length - 5)}\r\n`;
    const at = new HeaderSection();
    expect(at.write(latin1(`${field(MAX_HEADER_SECTION)}\r\nbody`))).toBe(MAX_HEADER_SECTION + 2);
    expect(at.text()).toHaveLength(MAX_HEADER_SECTION);
    const over = new HeaderSection();
    expect(() => over.write(latin1(field(MAX_HEADER_SECTION + 1)))).toThrow(DkimError);
    const overLater = new HeaderSection();
    overLater.write(latin1(field(MAX_HEADER_SECTION - 10)));
    expect(() => overLater.write(latin1(field(11)))).toThrow(/larger than 1048576 octets/);
  });

  it("text() of a large section is exact (built in slices)", () => {
    const section = new HeaderSection();
    const header = Array.from({ length: 3000 }, (_, i) => `X-${i}: ${"v".repeat(i % 70)}\r\n`).join(
      "",
    );
    section.write(latin1(`${header}\r\n`));
    expect(section.text()).toBe(header);
    expect(binary(latin1(section.text()))).toBe(header);
  });
});
