import { describe, expect, it } from "vitest";
import { type Attachment, attachmentLeaf } from "../src/attachment.ts";
import { type AttachmentInput, createMessage, type MessageInput, toBytes } from "../src/index.ts";
import { fixedOptions, refusal } from "./support.ts";

const base: MessageInput = { from: "a@example.test", to: "b@example.test" };
const decode = (bytes: Uint8Array) => Buffer.from(bytes).toString("latin1");

/** The header section of the message's first attachment part (after its boundary line). */
async function partHead(attachment: AttachmentInput): Promise<string> {
  const text = decode(
    await toBytes(createMessage({ ...base, attachments: [attachment] }, fixedOptions())),
  );
  const start = text.indexOf("\r\n", text.indexOf("\r\n--=_") + 2) + 2;
  return text.slice(start, text.indexOf("\r\n\r\n", start) + 2);
}

const refused = (attachment: unknown) =>
  refusal(() =>
    createMessage({ ...base, attachments: [attachment as AttachmentInput] }, fixedOptions()),
  );

describe("attachment media types", () => {
  it("the type/subtype before the parameters may have blanks around it", async () => {
    expect(await partHead({ content: "x", contentType: " text/plain ; format=flowed" })).toBe(
      "Content-Type: text/plain ; format=flowed; charset=utf-8\r\n" +
        "Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment\r\n",
    );
    expect(await partHead({ content: new Uint8Array([1]), contentType: "image/png;a=b" })).toMatch(
      /^Content-Type: image\/png;a=b\r\n/,
    );
  });

  it("the whole type/subtype must match: nothing before or after it", () => {
    for (const contentType of ["@text/plain", "text/plain@", "text/plain/x", "text/plain x"]) {
      expect(refused({ content: "x", contentType })).toBe(
        `attachments[0].contentType: invalid media type ${JSON.stringify(contentType)}`,
      );
    }
    expect(refused({ content: "x", contentType: ";text/plain" })).toBe(
      'attachments[0].contentType: invalid media type ";text/plain"',
    );
  });

  it("multipart/* and message/* are refused, types that merely contain those words are not", async () => {
    expect(refused({ content: "x", contentType: "Message/rfc822" })).toBe(
      "attachments[0].contentType: Message/rfc822 attachments are not supported (they cannot be base64)",
    );
    expect(refused({ content: "x", contentType: "multipart/mixed; boundary=x" })).toBe(
      "attachments[0].contentType: multipart/mixed attachments are not supported (they cannot be base64)",
    );
    expect(
      await partHead({ content: new Uint8Array(1), contentType: "x-multipart/mixed" }),
    ).toMatch(/^Content-Type: x-multipart\/mixed\r\n/);
    expect(await partHead({ content: new Uint8Array(1), contentType: "x-message/rfc822" })).toMatch(
      /^Content-Type: x-message\/rfc822\r\n/,
    );
  });

  it("a contentType of 900 characters is accepted, 901 refused", async () => {
    const of = (length: number) => `application/x-a; p=${"v".repeat(length - 19)}`;
    expect(of(900)).toHaveLength(900);
    expect(await partHead({ content: new Uint8Array(1), contentType: of(900) })).toContain(
      `p=${"v".repeat(881)}\r\n`,
    );
    expect(refused({ content: "x", contentType: of(901) })).toBe(
      "attachments[0].contentType: longer than 900 characters",
    );
  });

  it("a contentType that is not a string is refused by name", () => {
    expect(refused({ content: "x", contentType: 42 })).toBe(
      "attachments[0].contentType: must be a string",
    );
  });

  it("the contentType is trimmed before a charset is added", async () => {
    expect(await partHead({ content: "x", contentType: "  text/plain  " })).toMatch(
      /^Content-Type: text\/plain; charset=utf-8\r\n/,
    );
  });

  it("a data: URL's own type is checked only when no contentType replaces it", async () => {
    const path = "data:multipart/mixed;base64,eA==";
    expect(refused({ path })).toBe(
      "attachments[0].path: multipart/mixed attachments are not supported (they cannot be base64)",
    );
    expect(await partHead({ path, contentType: "text/plain" })).toMatch(
      /^Content-Type: text\/plain\r\n/,
    );
  });
});

describe("charset of text attachments given as strings", () => {
  it.each([
    ["text/plain", "text/plain; charset=utf-8"],
    ["TEXT/csv", "TEXT/csv; charset=utf-8"],
    ["text/plain;charset=us-ascii", "text/plain;charset=us-ascii"],
    ["text/plain; charset=us-ascii", "text/plain; charset=us-ascii"],
    ["text/plain;   CHARSET=us-ascii", "text/plain; CHARSET=us-ascii"],
    ["x-text/foo", "x-text/foo"],
    ["application/json", "application/json"],
  ])("%s is written %s", async (contentType, written) => {
    expect(await partHead({ content: "x", contentType })).toMatch(
      new RegExp(`^Content-Type: ${written.replace(/[/.]/g, "\\$&")}\r\n`),
    );
  });
});

describe("the legacy name= parameter", () => {
  it.each([
    ["text/plain; name=b.txt", "text/plain; name=b.txt; charset=utf-8"],
    ["text/plain;name=b.txt", "text/plain;name=b.txt; charset=utf-8"],
    ["text/plain; NAME =b.txt", "text/plain; NAME =b.txt; charset=utf-8"],
    ["text/plain; filename=b.txt", 'text/plain; filename=b.txt; charset=utf-8; name="a.txt"'],
    ["text/plain; xname=b", 'text/plain; xname=b; charset=utf-8; name="a.txt"'],
    ["text/plain; names=b", 'text/plain; names=b; charset=utf-8; name="a.txt"'],
  ])("with %s: %s", async (contentType, written) => {
    expect(await partHead({ content: "x", filename: "a.txt", contentType })).toBe(
      `Content-Type: ${written}\r\nContent-Transfer-Encoding: base64\r\n` +
        'Content-Disposition: attachment; filename="a.txt"\r\n',
    );
  });
});

describe("attachment fields", () => {
  it.each([
    ["null", null],
    ["a string", "a.txt"],
    ["a number", 42],
  ])("an attachment that is %s is refused", (_label, attachment) => {
    expect(refused(attachment)).toBe("attachments[0]: must be an object");
  });

  it("attachments must be an array", () => {
    expect(
      refusal(() => createMessage({ ...base, attachments: "a" as never }, fixedOptions())),
    ).toBe("attachments: must be an array");
  });

  it("an unknown disposition says which values are allowed", () => {
    expect(refused({ content: "x", disposition: "evil" })).toBe(
      'attachments[0].disposition: must be "attachment" or "inline"',
    );
  });

  it("a filename of 1000 characters is accepted, 1001 refused", async () => {
    const name = (length: number) => `${"n".repeat(length - 4)}.bin`;
    expect(await partHead({ content: "x", filename: name(1000) })).toContain(
      "Content-Disposition: attachment;",
    );
    expect(refused({ content: "x", filename: name(1001) })).toBe(
      "attachments[0].filename: longer than 1000 characters",
    );
  });

  it("an empty filename is no filename: neither name= nor filename= is written", async () => {
    expect(await partHead({ content: new Uint8Array(1), filename: "" })).toBe(
      "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n" +
        "Content-Disposition: attachment\r\n",
    );
  });

  it("a second stream() over consumed stream content names the attachment's content", async () => {
    const message = createMessage(
      {
        ...base,
        attachments: [
          { content: "x" },
          {
            content: (async function* () {
              yield new Uint8Array(4);
            })(),
          },
        ],
      },
      fixedOptions(),
    );
    await toBytes(message);
    expect(refusal(() => message.stream())).toBe(
      "attachments[1].content: stream content was already consumed by an earlier stream()",
    );
  });
});

describe("attachmentLeaf, given an attachment directly", () => {
  const leafHeaders = (contentType: string) => {
    const attachment: Attachment = {
      field: "attachments[0]",
      filename: "f.txt",
      contentType,
      cid: undefined,
      disposition: "attachment",
      source: { kind: "bytes", bytes: new Uint8Array(1) },
    };
    return attachmentLeaf(attachment).headers.split("\r\n")[0];
  };

  it("writes blanks around and between the type's words as single spaces", () => {
    expect(leafHeaders("  text/plain;   a=b  ")).toBe(
      'Content-Type: text/plain; a=b; name="f.txt"',
    );
  });

  it("takes a name= at the very start as the type's own name parameter", () => {
    expect(leafHeaders("name=x")).toBe("Content-Type: name=x");
  });
});
