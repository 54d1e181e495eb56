import { describe, expect, it } from "vitest";
import {
  type AlternativeInput,
  createMessage,
  type IcalEventInput,
  type MessageInput,
  toBytes,
} from "../src/index.ts";
import { fixedOptions, refusal } from "./support.ts";

const base: MessageInput = { from: "a@example.test", to: "b@example.test" };
const decode = (bytes: Uint8Array) => Buffer.from(bytes).toString("latin1");

const built = async (input: Partial<MessageInput>) =>
  decode(await toBytes(createMessage({ ...base, ...input }, fixedOptions())));
const refused = (input: Partial<MessageInput>) =>
  refusal(() => createMessage({ ...base, ...input }, fixedOptions()));
const alternative = (a: unknown) => refused({ alternatives: [a as AlternativeInput] });
const calendar = (e: unknown) => refused({ icalEvent: e as IcalEventInput });

/** The Content-Type line(s) of the message's only body (a single alternative is the body). */
async function bodyType(a: AlternativeInput): Promise<string> {
  const text = await built({ alternatives: [a] });
  const start = text.indexOf("\r\nContent-Type: ") + 2;
  return text.slice(start, text.indexOf("\r\nContent-Transfer-Encoding:", start));
}

describe("alternatives", () => {
  it.each([
    ["null", null],
    ["a number", 42],
    ["a string", "text/plain"],
  ])("an alternative that is %s is refused", (_label, a) => {
    expect(alternative(a)).toBe("alternatives[0]: must be an object");
  });

  it("its contentType must be a media type string, named by its field", () => {
    expect(alternative({ content: "x", contentType: 42 })).toBe(
      "alternatives[0].contentType: must be a string",
    );
    expect(alternative({ content: "x", contentType: "html" })).toBe(
      'alternatives[0].contentType: invalid media type "html"',
    );
  });

  it("its contentType is trimmed", async () => {
    expect(await bodyType({ content: "x", contentType: "  text/x-amp-html  " })).toBe(
      "Content-Type: text/x-amp-html; charset=utf-8",
    );
    expect(await bodyType({ content: new Uint8Array(1), contentType: " application/x-a " })).toBe(
      "Content-Type: application/x-a",
    );
  });

  it.each([
    ["text/plain", "text/plain; charset=utf-8"],
    ["Text/Enriched", "Text/Enriched; charset=utf-8"],
    ["text/plain;charset=us-ascii", "text/plain;charset=us-ascii"],
    ["text/plain; charset=us-ascii", "text/plain; charset=us-ascii"],
    ["x-text/foo", "x-text/foo"],
  ])("string content of type %s is written %s", async (contentType, written) => {
    expect(await bodyType({ content: "x", contentType })).toBe(`Content-Type: ${written}`);
  });

  it("byte content: blanks between parameters are written as one", async () => {
    expect(
      await bodyType({ content: new Uint8Array(1), contentType: "application/x-a;  p=1" }),
    ).toBe("Content-Type: application/x-a; p=1");
  });

  it("text content with a lone surrogate is refused, naming the alternative's content", () => {
    expect(alternative({ content: "a\ud800", contentType: "text/plain" })).toBe(
      "alternatives[0].content: contains a lone surrogate at index 1",
    );
  });
});

describe("icalEvent", () => {
  const ics = (methodLine: string) =>
    `BEGIN:VCALENDAR\r\n${methodLine}\r\nBEGIN:VEVENT\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`;
  const method = async (icalEvent: IcalEventInput) =>
    /Content-Type: text\/calendar; charset=utf-8; method=(\S+)\r\n/.exec(
      await built({ icalEvent }),
    )?.[1];

  it("null is refused like any non-object", () => {
    expect(calendar(null)).toBe("icalEvent: must be an object");
  });

  it("a given method that matches the content's METHOD line, in any case, is accepted", async () => {
    expect(await method({ content: ics("METHOD:REQUEST"), method: "request" })).toBe("REQUEST");
    expect(await method({ content: ics("method:cancel"), method: "Cancel" })).toBe("CANCEL");
  });

  it("blanks around the content's method name are ignored", async () => {
    expect(await method({ content: ics("METHOD: REQUEST ") })).toBe("REQUEST");
    expect(await method({ content: ics("METHOD:\tREPLY"), method: "REPLY" })).toBe("REPLY");
  });

  it("method and filename must be strings, the method a method name", () => {
    expect(calendar({ content: ics("X:1"), method: 42 })).toBe(
      "icalEvent.method: must be a string",
    );
    expect(calendar({ content: ics("X:1"), method: "RE QUEST" })).toBe(
      "icalEvent.method: must be an iTIP method name such as REQUEST",
    );
    expect(calendar({ content: ics("X:1"), filename: 42 })).toBe(
      "icalEvent.filename: must be a string",
    );
  });
});
