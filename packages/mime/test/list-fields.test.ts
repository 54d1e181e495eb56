import { describe, expect, it } from "vitest";
import type { ListInput } from "../src/index.ts";
import { listHeaders } from "../src/list-headers.ts";
import { refusal } from "./support.ts";

// The List-* fields as written: comments, List-Post: NO, List-Id, one-click, the item
// shapes and the names reported back (which extra headers may not repeat).

const text = (list: ListInput, smtpUtf8 = false) => listHeaders(list, smtpUtf8).text;
const refused = (list: unknown) => refusal(() => listHeaders(list, false));

describe("list URL fields", () => {
  it("a comment follows its URL in parentheses, its blanks trimmed and collapsed", () => {
    expect(text({ help: { url: "https://l.test/h", comment: "  get \t  help\u00a0" } })).toBe(
      "List-Help: <https://l.test/h> (get help)\r\n",
    );
    expect(text({ help: { url: "https://l.test/h", comment: "a (b) \\c" } })).toBe(
      "List-Help: <https://l.test/h> (a \\(b\\) \\\\c)\r\n",
    );
  });

  it("a comment of blanks only (or empty) writes nothing", () => {
    for (const comment of ["", "   ", " \t "]) {
      expect(text({ help: { url: "https://l.test/h", comment } })).toBe(
        "List-Help: <https://l.test/h>\r\n",
      );
    }
  });

  it("takes 16 URLs in one field and refuses 17", () => {
    const urls = (n: number) => Array.from({ length: n }, (_, i) => `https://l.test/${i}`);
    const head = text({ archive: urls(16) });
    expect(head.replace(/\r\n /g, " ")).toBe(
      `List-Archive: ${urls(16)
        .map((u) => `<${u}>`)
        .join(", ")}\r\n`,
    );
    expect(refused({ archive: urls(17) })).toBe("list.archive: more than 16 URLs");
  });

  it("refuses items that are neither a URL string nor { url, comment }, naming the index", () => {
    for (const item of [null, 7, ["https://l.test/h"]]) {
      expect(refused({ help: ["https://l.test/a", item] })).toBe(
        "list.help[1]: must be a URL string or { url, comment }",
      );
    }
    expect(refused({ help: null })).toBe("list.help: must be a URL string or { url, comment }");
  });

  it("List-Post alone may be NO, in any case and with blanks, with a comment; no other field may", () => {
    expect(text({ post: " no " })).toBe("List-Post: NO\r\n");
    expect(text({ post: { url: "NO", comment: "read only" } })).toBe(
      "List-Post: NO (read only)\r\n",
    );
    expect(text({ post: "https://l.test/post" })).toBe("List-Post: <https://l.test/post>\r\n");
    for (const key of ["help", "unsubscribe", "subscribe", "owner", "archive"] as const) {
      expect(refused({ [key]: "NO" })).toBe(
        `list.${key}: must be an https:, http:, mailto: or ftp: URL, or an e-mail address`,
      );
    }
  });
});

describe("List-Id", () => {
  const id255 = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(63)}`;

  it("drops blanks, then one pair of angle brackets around the whole identifier", () => {
    expect(text({ id: " <news.example.test> " })).toBe("List-Id: <news.example.test>\r\n");
    for (const id of ["news.example<x.test>", "<news.example>x.test", "<<news.example.test>>"]) {
      expect(refused({ id })).toBe(
        'list.id: must be a list identifier such as "news.example.com" (RFC 2919)',
      );
    }
  });

  it("takes an identifier of 255 characters and refuses 256", () => {
    expect(id255).toHaveLength(255);
    expect(text({ id: id255 })).toBe(`List-Id: <${id255}>\r\n`);
    expect(refused({ id: `${id255}d` })).toBe(
      'list.id: must be a list identifier such as "news.example.com" (RFC 2919)',
    );
  });

  it("writes a description of up to 500 characters, blanks trimmed and collapsed; refuses 501", () => {
    expect(text({ id: { url: "news.example.test", comment: "  Daily \t news " } })).toBe(
      "List-Id: Daily news <news.example.test>\r\n",
    );
    const words = `${"ab ".repeat(166)}ab`;
    expect(words).toHaveLength(500);
    expect(text({ id: { url: "news.example.test", comment: words } }).replace(/\r\n /g, " ")).toBe(
      `List-Id: ${words} <news.example.test>\r\n`,
    );
    expect(refused({ id: { url: "news.example.test", comment: `${words}a` } })).toBe(
      "list.id.comment: longer than 500 characters",
    );
  });

  it("a description of blanks only (or empty) writes the identifier alone", () => {
    for (const comment of ["", "   ", " \t "]) {
      expect(text({ id: { url: "news.example.test", comment } })).toBe(
        "List-Id: <news.example.test>\r\n",
      );
    }
  });
});

describe("the list field as a whole", () => {
  it("no list writes nothing and names nothing", () => {
    expect(listHeaders(undefined, false)).toEqual({ text: "", names: [] });
  });

  it("names every field written, in writing order", () => {
    const { names } = listHeaders(
      {
        id: "news.example.test",
        archive: "https://l.test/a",
        unsubscribe: "https://l.test/u",
        help: "https://l.test/h",
        oneClick: true,
      },
      false,
    );
    expect(names).toEqual([
      "List-Help",
      "List-Unsubscribe",
      "List-Archive",
      "List-Id",
      "List-Unsubscribe-Post",
    ]);
    expect(listHeaders({}, false)).toEqual({ text: "", names: [] });
  });

  it("refuses a list that is not an object", () => {
    for (const list of [null, "https://l.test/h", ["https://l.test/h"], 1]) {
      expect(refused(list)).toBe("list: must be an object");
    }
  });

  it("oneClick counts the unsubscribe URLs only, not those of the fields after it", () => {
    expect(
      text({
        unsubscribe: "https://l.test/u",
        post: "mailto:post@l.test",
        archive: ["https://l.test/a", "http://l.test/b"],
        oneClick: true,
      }).endsWith("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"),
    ).toBe(true);
    expect(
      refused({ unsubscribe: "mailto:u@l.test", archive: "https://l.test/a", oneClick: true }),
    ).toBe(
      "list.unsubscribe: oneClick needs exactly one https: URL (and no http: one) in list.unsubscribe (RFC 8058)",
    );
  });
});
