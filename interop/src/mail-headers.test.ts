import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { angleAddress, header, parseHeaders } from "./mail-headers.ts";

describe("parseHeaders", () => {
  it("unfolds continuation lines and stops at the empty line", () => {
    const raw =
      "Return-Path: <a@b.test>\r\nSubject: one\r\n two\r\n\tthree\r\nX-Empty:\r\n\r\nBody: not a header\r\n";
    expect(parseHeaders(new TextEncoder().encode(raw))).toEqual([
      { name: "return-path", value: "<a@b.test>" },
      { name: "subject", value: "one two three" },
      { name: "x-empty", value: "" },
    ]);
  });

  it("reads LF-only files (Maildir) and a message without a body", () => {
    const fields = parseHeaders("Message-ID: <id@x>\nReturn-Path: <>\n");
    expect(header(fields, "Message-Id")).toBe("<id@x>");
    expect(angleAddress(header(fields, "return-path") ?? "?")).toBe("");
  });

  it("finds every field whatever the folding (property)", () => {
    const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/);
    const word = fc.stringMatching(/^[!-~]{1,12}$/);
    const field = fc.record({ name, words: fc.array(word, { minLength: 1, maxLength: 6 }) });
    const folds = fc.array(fc.boolean(), { minLength: 6, maxLength: 6 });
    fc.assert(
      fc.property(
        fc.array(field, { minLength: 1, maxLength: 8 }),
        folds,
        fc.boolean(),
        (fields, fold, crlf) => {
          const eol = crlf ? "\r\n" : "\n";
          const text = fields
            .map(
              (f) =>
                `${f.name}: ${f.words.map((w, i) => (i > 0 && fold[i] ? `${eol}\t${w}` : w)).join(" ")}`,
            )
            .join(eol);
          const parsed = parseHeaders(`${text}${eol}${eol}body: x${eol}`);
          expect(parsed).toEqual(
            fields.map((f) => ({ name: f.name.toLowerCase(), value: f.words.join(" ") })),
          );
        },
      ),
    );
  });
});

describe("angleAddress", () => {
  it("takes what is inside the brackets, or the trimmed value", () => {
    expect(angleAddress(" <user@example.test> ")).toBe("user@example.test");
    expect(angleAddress("user@example.test ")).toBe("user@example.test");
  });
});
