import { describe, expect, it } from "vitest";
import {
  type BuildOptions,
  createMessage,
  filePathsOf,
  type MessageInput,
  MimeError,
  toBytes,
} from "../src/index.ts";
import { parseWithMailparser } from "./parse-back.ts";
import { fixedOptions } from "./support.ts";

const base = { from: "a@example.test", to: "b@example.test" };
const decode = (bytes: Uint8Array) => Buffer.from(bytes).toString("latin1");

function refusal(input: MessageInput, options: Partial<BuildOptions> = {}): string {
  try {
    createMessage(input, fixedOptions(options));
  } catch (error) {
    expect(error).toBeInstanceOf(MimeError);
    return (error as Error).message;
  }
  throw new Error("expected a MimeError");
}

function file(bytes: Uint8Array, opened: { count: number } = { count: 0 }) {
  return {
    size: bytes.length,
    open: () => {
      opened.count++;
      return new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(bytes.slice());
          controller.close();
        },
      });
    },
  };
}

describe("attachment paths", () => {
  it("ask BuildOptions.files, open the file on every pass, and count its size", async () => {
    const opened = { count: 0 };
    const bytes = new Uint8Array(1000).map((_, i) => i);
    const options = fixedOptions({
      files: (p) => (p === "/a/b.bin" ? file(bytes, opened) : undefined),
    });
    const message = createMessage({ ...base, attachments: [{ path: "/a/b.bin" }] }, options);
    expect(opened.count).toBe(0);
    const first = await toBytes(message);
    const second = await toBytes(message);
    expect(opened.count).toBe(2);
    expect(decode(second)).toBe(decode(first));
    expect(message.size).toBe(first.length);
    const parsed = await parseWithMailparser(first);
    expect(parsed.attachments[0]?.filename).toBe("b.bin");
  });

  it("a file that yields another size than it said fails the stream", async () => {
    const options = fixedOptions({
      files: () => ({ size: 5, open: () => file(new Uint8Array(4)).open() }),
    });
    const message = createMessage({ ...base, attachments: [{ path: "x" }] }, options);
    await expect(toBytes(message)).rejects.toThrow(
      /attachments\[0\]\.path: stream produced 4 octets, declared size 5/,
    );
  });

  it("filePathsOf lists the file paths of attachments, alternatives and the calendar", () => {
    expect(
      filePathsOf({
        ...base,
        attachments: [
          { path: "a.txt" },
          { content: "x" },
          { path: "data:,x" },
          { path: "https://x.test/y" },
          null as never,
        ],
        alternatives: [{ contentType: "text/x-amp-html", path: "amp.html" }],
        icalEvent: { path: "invite.ics" },
      }),
    ).toEqual([
      { field: "attachments[0].path", path: "a.txt" },
      { field: "alternatives[0].path", path: "amp.html" },
      { field: "icalEvent.path", path: "invite.ics" },
    ]);
    expect(filePathsOf(null as never)).toEqual([]);
    expect(filePathsOf({ ...base, attachments: "x" as never })).toEqual([]);
  });

  it("refuses paths it cannot use, naming the field", () => {
    const files = () => undefined;
    expect(refusal({ ...base, attachments: [{ path: "a" }] })).toMatch(
      /attachments\[0\]\.path: a file needs BuildOptions\.files/,
    );
    expect(refusal({ ...base, attachments: [{ path: "a" }] }, { files })).toMatch(
      /attachments\[0\]\.path: the file "a" is not available/,
    );
    expect(
      refusal({ ...base, attachments: [{ path: "https://x.test/a.pdf" }] }, { files }),
    ).toMatch(/URLs are not fetched: .*content: \(await fetch\(url\)\)\.body/);
    expect(refusal({ ...base, attachments: [{ path: "" }] }, { files })).toMatch(
      /path: must be a non-empty string/,
    );
    expect(refusal({ ...base, attachments: [{ path: "a\0b" }] }, { files })).toMatch(/without NUL/);
    expect(refusal({ ...base, attachments: [{ path: "a", content: "x" }] }, { files })).toMatch(
      /attachments\[0\]: give content or path, not both/,
    );
    expect(refusal({ ...base, attachments: [{ path: "a", encoding: "hex" }] }, { files })).toMatch(
      /attachments\[0\]\.encoding: applies to string content only/,
    );
    expect(refusal({ ...base, attachments: [{ path: "a", size: 3 }] }, { files })).toMatch(
      /attachments\[0\]\.size: applies to stream content only/,
    );
    expect(refusal({ ...base, attachments: [{}] })).toMatch(
      /attachments\[0\]\.content: is required/,
    );
    expect(refusal({ ...base, attachments: [{ path: "a" }] }, { files: "x" as never })).toMatch(
      /options\.files: must be a function/,
    );
    expect(
      refusal(
        { ...base, attachments: [{ path: "a" }] },
        { files: () => ({ size: -1, open: () => [] as never }) },
      ),
    ).toMatch(/non-negative integer size/);
  });

  it("a path of 4096 characters is accepted, 4097 refused", () => {
    const files = () => file(new Uint8Array(1));
    expect(() =>
      createMessage(
        { ...base, attachments: [{ path: `${"d/".repeat(2047)}ab` }] },
        fixedOptions({ files }),
      ),
    ).not.toThrow();
    expect(
      refusal({ ...base, attachments: [{ path: `${"d/".repeat(2047)}abc` }] }, { files }),
    ).toMatch(/longer than 4096/);
  });

  it("a data: URL path gives the content and its media type", async () => {
    const message = createMessage(
      { ...base, attachments: [{ path: "data:image/png;base64,iVBORw0KGgo=" }] },
      fixedOptions(),
    );
    expect(decode(await toBytes(message))).toContain("Content-Type: image/png\r\n");
    expect(refusal({ ...base, attachments: [{ path: "data:not a type,x" }] })).toMatch(
      /invalid media type/,
    );
  });
});

describe("string content encodings", () => {
  it("decode to the bytes they stand for; bad text is refused before any byte", async () => {
    const message = createMessage(
      { ...base, attachments: [{ filename: "a.bin", content: "AAEC/w==", encoding: "base64" }] },
      fixedOptions(),
    );
    const parsed = await parseWithMailparser(await toBytes(message));
    expect(parsed.attachments[0]?.sha256).toBe(
      (await import("./parse-back.ts")).sha256(Uint8Array.of(0, 1, 2, 255)),
    );
    expect(refusal({ ...base, attachments: [{ content: "AB*", encoding: "base64" }] })).toMatch(
      /attachments\[0\]\.content: not base64/,
    );
    expect(refusal({ ...base, attachments: [{ content: "abc", encoding: "hex" }] })).toMatch(
      /not hex/,
    );
    expect(
      refusal({ ...base, attachments: [{ content: new Uint8Array(1), encoding: "hex" }] }),
    ).toMatch(/attachments\[0\]\.encoding: applies to string content only/);
    expect(
      refusal({ ...base, attachments: [{ content: "x", encoding: "utf-16" as never }] }),
    ).toMatch(/attachments\[0\]\.encoding: must be one of/);
  });

  it("decoded text content gets no charset added; UTF-8 text does", async () => {
    const text = decode(
      await toBytes(
        createMessage(
          {
            ...base,
            attachments: [
              { filename: "a.txt", content: "aGk=", encoding: "base64" },
              { filename: "b.txt", content: "hi" },
            ],
          },
          fixedOptions(),
        ),
      ),
    );
    expect(text).toContain('Content-Type: text/plain; name="a.txt"');
    expect(text).toContain('Content-Type: text/plain; charset=utf-8; name="b.txt"');
  });
});

describe("alternatives, calendar and textEncoding", () => {
  it("alternatives: up to 16; each needs a contentType; bytes and files go base64", async () => {
    const amp = { contentType: "text/x-amp-html", content: "<p>amp</p>" };
    expect(() =>
      createMessage({ ...base, alternatives: Array(16).fill(amp) }, fixedOptions()),
    ).not.toThrow();
    expect(refusal({ ...base, alternatives: Array(17).fill(amp) })).toMatch(
      /alternatives: more than 16/,
    );
    expect(refusal({ ...base, alternatives: "x" as never })).toMatch(
      /alternatives: must be an array/,
    );
    expect(refusal({ ...base, alternatives: [null as never] })).toMatch(
      /alternatives\[0\]: must be an object/,
    );
    expect(refusal({ ...base, alternatives: [{ content: "x" } as never] })).toMatch(
      /alternatives\[0\]\.contentType: is required/,
    );
    expect(
      refusal({ ...base, alternatives: [{ contentType: "multipart/mixed", content: "x" }] }),
    ).toMatch(/multipart\/mixed attachments are not supported/);
    const text = decode(
      await toBytes(
        createMessage(
          {
            ...base,
            text: "t",
            alternatives: [{ contentType: "application/x-thing", content: Uint8Array.of(1, 2) }],
          },
          fixedOptions(),
        ),
      ),
    );
    expect(text).toContain(
      "Content-Type: application/x-thing\r\nContent-Transfer-Encoding: base64\r\n\r\nAQI=\r\n",
    );
  });

  it("icalEvent: method from the content, given (matching) or PUBLISH; no stream content", async () => {
    const ics = (method?: string) =>
      `BEGIN:VCALENDAR\r\n${method ? `METHOD:${method}\r\n` : ""}BEGIN:VEVENT\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`;
    const typeOf = async (icalEvent: NonNullable<MessageInput["icalEvent"]>) =>
      /Content-Type: text\/calendar; charset=utf-8; method=([A-Z-]+)/.exec(
        decode(await toBytes(createMessage({ ...base, icalEvent }, fixedOptions()))),
      )?.[1];
    expect(await typeOf({ content: ics("REQUEST") })).toBe("REQUEST");
    expect(await typeOf({ content: ics() })).toBe("PUBLISH");
    expect(await typeOf({ content: ics(), method: "add" })).toBe("ADD");
    expect(await typeOf({ content: new TextEncoder().encode(ics("CANCEL")) })).toBe("CANCEL");
    expect(
      await typeOf({ content: Buffer.from(ics("REPLY")).toString("base64"), encoding: "base64" }),
    ).toBe("REPLY");
    expect(refusal({ ...base, icalEvent: { content: ics("REQUEST"), method: "CANCEL" } })).toMatch(
      /icalEvent\.method: is CANCEL but the calendar says METHOD:REQUEST/,
    );
    expect(refusal({ ...base, icalEvent: { content: ics("RE QUEST") } })).toMatch(
      /icalEvent\.content: its METHOD line does not hold a method name/,
    );
    expect(refusal({ ...base, icalEvent: { content: ics(), method: "a".repeat(65) } })).toMatch(
      /icalEvent\.method/,
    );
    expect(() =>
      createMessage(
        { ...base, icalEvent: { content: ics(), method: "A".repeat(64) } },
        fixedOptions(),
      ),
    ).not.toThrow();
    expect(refusal({ ...base, icalEvent: { content: new ReadableStream() as never } })).toMatch(
      /icalEvent\.content: must be a string or a Uint8Array/,
    );
    expect(refusal({ ...base, icalEvent: "x" as never })).toMatch(/icalEvent: must be an object/);
    expect(refusal({ ...base, icalEvent: {} })).toMatch(/icalEvent\.content: is required/);
  });

  it("textEncoding is quoted-printable or base64", () => {
    expect(refusal({ ...base, text: "x", textEncoding: "7bit" as never })).toMatch(
      /textEncoding: must be "quoted-printable" or "base64"/,
    );
  });
});
