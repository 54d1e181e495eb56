import { describe, expect, it } from "vitest";
import { asciiLower, parseHeaderFields, relaxedField, signedFieldsData } from "./header-fields.ts";

describe("header fields", () => {
  it("RFC 6376 §3.4.5: the example header, relaxed", () => {
    const fields = parseHeaderFields("A: X\r\nB : Y\t\r\n\tZ  \r\n");
    expect(fields.map((f) => f.name)).toEqual(["a", "b"]);
    expect(fields.map((f) => relaxedField(f.raw)).join("")).toBe("a:X\r\nb:Y Z\r\n");
    // simple: as it is
    expect(signedFieldsData(fields, ["a", "b"], false)).toBe("A: X\r\nB : Y\t\r\n\tZ  \r\n");
  });

  it("relaxed: only SP and HTAB are whitespace; 8-bit octets (0xA0, 0x85) stay, also at either end", () => {
    expect(relaxedField("Subject:\xa0 a\x85 \t b \xa0\r\n")).toBe("subject:\xa0 a\x85 b \xa0\r\n");
    expect(relaxedField("S\xc9: v\r\n")).toBe("s\xc9:v\r\n");
    expect(asciiLower("ABC-\xc0\xde")).toBe("abc-\xc0\xde");
  });

  it("relaxed: an empty value, and whitespace around the colon", () => {
    expect(relaxedField("X-Empty:\r\n")).toBe("x-empty:\r\n");
    expect(relaxedField("X-Blank: \t \r\n \r\n")).toBe("x-blank:\r\n");
    expect(relaxedField("Name \t:  v")).toBe("name:v\r\n");
  });

  it("parses continuation lines, a line without a colon, and a continuation first", () => {
    const fields = parseHeaderFields(" lost\r\nFrom: a\r\n b\r\nnot a field\r\nTo: c\r\n");
    expect(fields).toEqual([
      { name: "", raw: " lost\r\n" },
      { name: "from", raw: "From: a\r\n b\r\n" },
      { name: "", raw: "not a field\r\n" },
      { name: "to", raw: "To: c\r\n" },
    ]);
  });

  it("selects fields bottom-up, each once; a name with none left adds nothing (over-signing)", () => {
    const fields = parseHeaderFields("To: 1\r\nFrom: f\r\nTo: 2\r\nto: 3\r\n");
    expect(signedFieldsData(fields, ["to", "to", "from", "to", "to", "from"], false)).toBe(
      "to: 3\r\nTo: 2\r\nFrom: f\r\nTo: 1\r\n",
    );
    expect(signedFieldsData(fields, ["subject", ""], false)).toBe("");
  });
});
