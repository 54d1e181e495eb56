import fc from "fast-check";
import { simpleParser } from "mailparser";
import { describe, expect, it } from "vitest";
import { createMessage, type ListInput, MAX_LIST_URL, MimeError, toBytes } from "../src/index.ts";
import { normalizeListUrl } from "../src/list-headers.ts";
import { expectWellFormedLines, fixedOptions } from "./support.ts";

const base = { from: "news@example.test", to: "bob@example.test", text: "x" };

async function headerBlock(list: ListInput, extra = {}): Promise<string> {
  const bytes = await toBytes(createMessage({ ...base, list, ...extra }, fixedOptions()));
  expectWellFormedLines(bytes);
  const text = Buffer.from(bytes).toString("latin1");
  return text.slice(0, text.indexOf("\r\n\r\n"));
}

function unfolded(head: string, name: string): string[] {
  return head
    .replace(/\r\n[ \t]/g, " ")
    .split("\r\n")
    .filter((l) => l.startsWith(`${name}: `))
    .map((l) => l.slice(name.length + 2));
}

describe("List-* header fields", () => {
  it("normalised URLs are printable ASCII that parse back to the same URL", () => {
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), (url) => {
        let out: string;
        try {
          out = normalizeListUrl("f", url);
        } catch (error) {
          expect(error).toBeInstanceOf(MimeError);
          return;
        }
        expect(out).toMatch(/^[!-~]+$/);
        expect(out).not.toMatch(/[<>]/);
        expect(out.length).toBeLessThanOrEqual(MAX_LIST_URL);
        expect(new URL(out).href).toBe(new URL(url).href);
      }),
    );
  });

  it("e-mail addresses become mailto: URLs; IDN hosts punycode; spaces and non-ASCII escaped", () => {
    expect(normalizeListUrl("f", "unsub@example.test")).toBe("mailto:unsub@example.test");
    expect(normalizeListUrl("f", "<https://bücher.example/ab c?q=ü>")).toBe(
      "https://xn--bcher-kva.example/ab%20c?q=%C3%BC",
    );
    expect(normalizeListUrl("f", "mailto:l@example.test?subject=un subscribe")).toBe(
      "mailto:l@example.test?subject=un%20subscribe",
    );
    expect(() => normalizeListUrl("f", "javascript:alert(1)")).toThrow(/javascript: scheme/);
    expect(() => normalizeListUrl("f", "lists.example.test/x")).toThrow(/must be an https:/);
    expect(() => normalizeListUrl("f", "")).toThrow(/1 to 4096/);
  });

  it("a URL of MAX_LIST_URL octets is written, one more is refused", async () => {
    const url = (length: number) => {
      const prefix = "https://example.test/";
      return prefix + "a".repeat(length - prefix.length);
    };
    expect(normalizeListUrl("f", url(MAX_LIST_URL))).toHaveLength(MAX_LIST_URL);
    expect(normalizeListUrl("f", url(MAX_LIST_URL - 1))).toHaveLength(MAX_LIST_URL - 1);
    expect(() => normalizeListUrl("list.help", url(MAX_LIST_URL + 1))).toThrow(
      /list\.help: longer than 900 octets/,
    );
    const head = await headerBlock({ unsubscribe: [url(MAX_LIST_URL), url(MAX_LIST_URL)] });
    expect(unfolded(head, "List-Unsubscribe")[0]).toBe(
      `<${url(MAX_LIST_URL)}>, <${url(MAX_LIST_URL)}>`,
    );
  });

  it("random URL lists and comments parse back with mailparser, folded within 78 octets where possible", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            url: fc.webUrl({ withQueryParameters: true }),
            comment: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
          }),
          { minLength: 1, maxLength: 4 },
        ),
        async (items) => {
          const help = items.map((i) =>
            i.comment === undefined ? i.url : { url: i.url, comment: i.comment },
          );
          let head: string;
          try {
            head = await headerBlock({ help });
          } catch (error) {
            expect(error).toBeInstanceOf(MimeError);
            return;
          }
          const value = unfolded(head, "List-Help")[0]!;
          // Every URL is there, in order, in angle brackets; the value starts with the first.
          let at = 0;
          for (const item of items) {
            const found = value.indexOf(`<${normalizeListUrl("f", item.url)}>`, at);
            expect(found).toBeGreaterThanOrEqual(at);
            at = found + 1;
          }
          expect(value.startsWith(`<${normalizeListUrl("f", items[0]!.url)}>`)).toBe(true);
          const parsed = await simpleParser(`${head}\r\n\r\nx`);
          expect(parsed.headers.get("list")).toBeDefined();
        },
      ),
      { numRuns: 60 },
    );
  });

  it("List-Id is a phrase and <list-id>; non-ASCII comments are encoded-words", async () => {
    const head = await headerBlock({
      id: { url: "<news.example.test>", comment: "Nachrichten für alle" },
      help: { url: "https://example.test/h", comment: "Hilfe (für alle)" },
    });
    expect(unfolded(head, "List-Id")).toEqual([
      "=?UTF-8?Q?Nachrichten_f=C3=BCr_alle?= <news.example.test>",
    ]);
    expect(unfolded(head, "List-Help")[0]).toMatch(/^<https:\/\/example\.test\/h> \(=\?UTF-8\?Q\?/);
    const ascii = await headerBlock({ id: { url: "news.example.test", comment: "Daily, news" } });
    expect(unfolded(ascii, "List-Id")).toEqual(['"Daily, news" <news.example.test>']);
    const parsed = await simpleParser(`${ascii}\r\n\r\nx`);
    expect((parsed.headers.get("list") as { id: unknown }).id).toEqual({
      name: "Daily, news",
      id: "news.example.test",
    });
    expect(unfolded(await headerBlock({ id: "plain.example.test" }), "List-Id")).toEqual([
      "<plain.example.test>",
    ]);
  });

  it("oneClick needs exactly one https: unsubscribe URL and no http: one", async () => {
    const ok = await headerBlock({
      unsubscribe: ["mailto:u@example.test", "https://example.test/u"],
      oneClick: true,
    });
    expect(unfolded(ok, "List-Unsubscribe-Post")).toEqual(["List-Unsubscribe=One-Click"]);
    for (const unsubscribe of [
      "mailto:u@example.test",
      ["https://example.test/a", "https://example.test/b"],
      ["https://example.test/a", "http://example.test/b"],
      "http://example.test/u",
    ]) {
      expect(() =>
        createMessage({ ...base, list: { unsubscribe, oneClick: true } }, fixedOptions()),
      ).toThrow(/list\.unsubscribe: oneClick needs exactly one https: URL/);
    }
    expect(() => createMessage({ ...base, list: { oneClick: true } }, fixedOptions())).toThrow(
      /oneClick needs/,
    );
    expect(
      unfolded(
        await headerBlock({ unsubscribe: "https://e.test/u", oneClick: false }),
        "List-Unsubscribe-Post",
      ),
    ).toEqual([]);
  });

  it("refuses bad shapes, naming the field", () => {
    const bad: [ListInput | unknown, RegExp][] = [
      ["https://x.test", /^list: must be an object/],
      [{ help: [] }, /list\.help: must not be an empty array/],
      [{ help: Array(17).fill("https://x.test") }, /list\.help: more than 16 URLs/],
      [{ help: [1] }, /list\.help\[0\]: must be a URL string/],
      [{ help: { url: 1 } }, /list\.help\.url: must be a string/],
      [
        { help: { url: "https://x.test", comment: "a".repeat(501) } },
        /list\.help\.comment: longer than 500/,
      ],
      [{ help: { url: "https://x.test/\r\nBcc: x" } }, /list\.help\.url: contains CR/],
      [{ id: "nodot" }, /list\.id: must be a list identifier/],
      [{ id: ["a.b"] }, /list\.id: must be one identifier/],
      [{ id: "ü.example" }, /list\.id: must be a list identifier/],
      [{ post: ["NO", "https://x.test"] }, /list\.post\[0\]: must be an https:/],
      [{ oneClick: "yes" }, /list\.oneClick: must be a boolean/],
    ];
    for (const [list, message] of bad) {
      expect(() => createMessage({ ...base, list: list as ListInput }, fixedOptions())).toThrow(
        message,
      );
    }
    // At the comment limit.
    expect(() =>
      createMessage(
        { ...base, list: { help: { url: "https://x.test", comment: "a".repeat(500) } } },
        fixedOptions(),
      ),
    ).not.toThrow();
    expect(() =>
      createMessage(
        { ...base, list: { help: "https://x.test" }, headers: { "list-help": "<https://y.test>" } },
        fixedOptions(),
      ),
    ).toThrow(/headers\.list-help: is written from the list field/);
  });
});
