import { describe, expect, it } from "vitest";
import { parseDataUrl } from "./data-url.ts";
import { refusal } from "./errors.test-util.ts";

const bytes = (...values: number[]) => Uint8Array.from(values);
const ascii = (text: string) => new TextEncoder().encode(text);
const parse = (url: string) => parseDataUrl("attachments[0].path", url);

describe("parseDataUrl", () => {
  it("reads the media type and the data, trimmed, none when empty", () => {
    expect(parse("data:,hello")).toEqual({ mediaType: undefined, bytes: ascii("hello") });
    expect(parse("data: text/plain ,hi")).toEqual({ mediaType: "text/plain", bytes: ascii("hi") });
    expect(parse("data:text/plain;charset=utf-8,hi").mediaType).toBe("text/plain;charset=utf-8");
    expect(parse("data: ,hi").mediaType).toBeUndefined();
  });

  it("decodes base64 when the header ends in ;base64, in any case, and only then", () => {
    expect(parse("data:image/png;base64,aGVsbG8=")).toEqual({
      mediaType: "image/png",
      bytes: ascii("hello"),
    });
    expect(parse("data:;BASE64,aGk=")).toEqual({ mediaType: undefined, bytes: ascii("hi") });
    expect(parse("data:text/plain;base64x,aGk=")).toEqual({
      mediaType: "text/plain;base64x",
      bytes: ascii("aGk="),
    });
  });

  it("decodes percent escapes: digits and both cases of a to f", () => {
    expect(parse("data:,%30%39%41%46%61%66%aF%Fa").bytes).toEqual(
      bytes(0x30, 0x39, 0x41, 0x46, 0x61, 0x66, 0xaf, 0xfa),
    );
  });

  it.each([
    ["%/0", 0], // "/" is just below "0"
    ["%:0", 0], // ":" is just above "9"
    ["%`0", 0], // "`" is just below "a"
    ["%g0", 0], // "g" is just above "f"
    ["%@0", 0], // "@" is just below "A"
    ["%G0", 0], // "G" is just above "F"
    ["ab%0/", 2],
    ["ab%0", 2],
    ["%", 0],
  ])("refuses the bad escape in %s, saying where", (data, index) => {
    expect(refusal(() => parse(`data:,${data}`)).message).toBe(
      `attachments[0].path: a bad "%" escape at index ${index}`,
    );
  });

  it("encodes characters outside ASCII as UTF-8, surrogate pairs whole", () => {
    expect(parse("data:,\x7f\x80").bytes).toEqual(bytes(0x7f, 0xc2, 0x80));
    expect(parse("data:,é!").bytes).toEqual(bytes(0xc3, 0xa9, 0x21));
    expect(parse("data:,\u{1F600}a").bytes).toEqual(bytes(0xf0, 0x9f, 0x98, 0x80, 0x61));
    expect(parse("data:,\uD7FF\uE000").bytes).toEqual(bytes(0xed, 0x9f, 0xbf, 0xee, 0x80, 0x80));
    // A lone surrogate, high or low, becomes U+FFFD; the next character is kept.
    expect(parse("data:,\uDBFFa").bytes).toEqual(bytes(0xef, 0xbf, 0xbd, 0x61));
    expect(parse("data:,\uDC00a").bytes).toEqual(bytes(0xef, 0xbf, 0xbd, 0x61));
    // The ends of the high-surrogate range, and an escape right after a character.
    expect(parse("data:,\uD800\uDC00\uDBFF\uDFFF").bytes).toEqual(
      bytes(0xf0, 0x90, 0x80, 0x80, 0xf4, 0x8f, 0xbf, 0xbf),
    );
    expect(parse("data:,é%41").bytes).toEqual(bytes(0xc3, 0xa9, 0x41));
    expect(parse("data:,\uE000%41").bytes).toEqual(bytes(0xee, 0x80, 0x80, 0x41));
    expect(parse("data:,\u{1F600}%41").bytes).toEqual(bytes(0xf0, 0x9f, 0x98, 0x80, 0x41));
  });

  it("refuses what is not a data URL", () => {
    for (const url of ["http:,x", "data:no-comma"]) {
      expect(() => parse(url)).toThrow(
        'attachments[0].path: not a data URL ("data:[<type>][;base64],<data>")',
      );
    }
  });
});
