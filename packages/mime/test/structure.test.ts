import { describe, expect, it } from "vitest";
import { createMessage, type MessageInput } from "../src/index.ts";
import { buildTree } from "../src/structure.ts";
import { fixedOptions, refusal } from "./support.ts";

const base: MessageInput = { from: "a@example.test", to: "b@example.test" };
const eightBit = (input: Partial<MessageInput>, allow8bit = true) =>
  createMessage({ ...base, ...input }, fixedOptions({ allow8bit })).eightBit;

describe("eightBit sees an 8bit body however deep the structure nests it", () => {
  it.each([
    ["alone", { text: "é" }],
    ["in multipart/alternative", { text: "é", html: "<p>h</p>" }],
    ["in multipart/mixed", { text: "é", attachments: [{ content: "x" }] }],
    [
      "in multipart/related",
      { html: '<p>é</p><img src="cid:i">', attachments: [{ cid: "i", content: "x" }] },
    ],
    [
      "in related, in alternative, in mixed",
      {
        text: "t",
        html: '<p>é</p><img src="cid:i">',
        attachments: [{ cid: "i", content: "x" }, { content: "y" }],
      },
    ],
  ])("%s", (_label, input) => {
    expect(eightBit(input)).toBe(true);
    expect(eightBit(input, false)).toBe(false);
  });
});

describe("bodies are checked well-formed", () => {
  it("an HTML body with a lone surrogate is refused, naming html", () => {
    expect(refusal(() => createMessage({ ...base, html: "<p>\udfff</p>" }, fixedOptions()))).toBe(
      "html: contains a lone surrogate at index 3",
    );
  });

  it("buildTree checks an alternative's text itself, naming the alternative's content", () => {
    const text = "a\ud800";
    const alternative = {
      field: "alternatives[2]",
      contentType: "text/plain",
      content: {
        source: { kind: "bytes" as const, bytes: new Uint8Array(0) },
        text,
        dataType: undefined,
        pathName: undefined,
      },
    };
    expect(
      refusal(() =>
        buildTree(
          base,
          { attachments: [], alternatives: [alternative], calendar: undefined },
          false,
          [],
          () => "b",
        ),
      ),
    ).toBe("alternatives[2].content: contains a lone surrogate at index 1");
  });
});
