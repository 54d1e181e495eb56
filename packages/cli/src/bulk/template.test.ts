import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { messageFor, parseTemplate, placeholdersOf } from "./template.ts";

describe("templates", () => {
  it("fills string values of a JSON template, never its keys", () => {
    const template = parseTemplate(
      "m.json",
      JSON.stringify({
        from: "a@b.test",
        to: "{{ email }}",
        subject: "Hi {{name}}",
        "{{name}}": 1,
      }),
    );
    expect(placeholdersOf(template)).toEqual(["email", "name"]);
    expect(messageFor(template, { email: "x@y.test", name: "Ann" })).toEqual({
      from: "a@b.test",
      to: "x@y.test",
      subject: "Hi Ann",
      "{{name}}": 1,
    });
  });

  it("a value cannot change a JSON template's structure (property)", () => {
    const template = parseTemplate("m.json", JSON.stringify({ subject: "{{v}}", text: "x" }));
    fc.assert(
      fc.property(fc.string(), (value) => {
        const message = messageFor(template, { v: value }) as Record<string, unknown>;
        expect(Object.keys(message)).toEqual(["subject", "text"]);
        expect(message.subject).toBe(value);
      }),
    );
  });

  it("an .eml template refuses a line break in its header section (R1), allows it in the body", () => {
    const template = parseTemplate("m.eml", "To: {{email}}\r\nSubject: {{s}}\r\n\r\n{{body}}\r\n");
    expect(() =>
      messageFor(template, { email: "a@b.test", s: "x\r\nBcc: c@d.test", body: "" }),
    ).toThrow(/line break/);
    expect(messageFor(template, { email: "a@b.test", s: "ok", body: "two\r\nlines" })).toEqual({
      raw: "To: a@b.test\r\nSubject: ok\r\n\r\ntwo\r\nlines\r\n",
    });
  });

  it("refuses a JSON template that is not one object", () => {
    expect(() => parseTemplate("m.json", "[1]")).toThrow(/one message object/);
    expect(() => parseTemplate("m.json", "{")).toThrow(/not valid JSON/);
  });
});
