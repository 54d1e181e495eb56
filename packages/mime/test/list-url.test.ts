import { describe, expect, it } from "vitest";
import { normalizeListUrl } from "../src/list-headers.ts";
import { refusal } from "./support.ts";

// How one list URL is read: blanks and angle brackets around it, its length before parsing,
// a bare address, the schemes taken and what a header cannot carry.

const normalized = (value: string) => normalizeListUrl("list.help", value);
const refused = (value: string) => refusal(() => normalizeListUrl("list.help", value));
const NOT_A_URL = "list.help: must be an https:, http:, mailto: or ftp: URL, or an e-mail address";

describe("list URL input", () => {
  it("drops blanks (Unicode ones too), then one pair of angle brackets around the whole", () => {
    expect(normalized("  <https://list.test/help>\t ")).toBe("https://list.test/help");
    expect(normalized("\u00a0https://list.test/help\u3000")).toBe("https://list.test/help");
    expect(refused("<<https://list.test/help>>")).toBe(NOT_A_URL);
    // Brackets inside the URL are not a wrapper: they stay, percent-encoded.
    expect(normalized("https://list.test/?q=<x>")).toBe("https://list.test/?q=%3Cx%3E");
    expect(refused("<https://list.test/>x")).toBe(NOT_A_URL);
    expect(refused("x<https://list.test/>")).toBe(NOT_A_URL);
  });

  it("takes 1 to 4096 characters before parsing, whatever they normalise to", () => {
    for (const empty of ["", "   ", "<>", " <> "]) {
      expect(refused(empty)).toBe("list.help: must be 1 to 4096 characters");
    }
    // Tabs inside are removed by the URL parser, so a long input may give a short URL.
    const padded = (length: number) => `https://list.test/${"\t".repeat(length - 19)}h`;
    expect(padded(4096)).toHaveLength(4096);
    expect(normalized(padded(4096))).toBe("https://list.test/h");
    expect(normalized(padded(4095))).toBe("https://list.test/h");
    expect(refused(padded(4097))).toBe("list.help: must be 1 to 4096 characters");
    // Counted after the brackets are dropped.
    expect(normalized(`<${padded(4096)}>`)).toBe("https://list.test/h");
  });

  it("reads an address without a scheme as mailto:, even with a colon further on", () => {
    expect(normalized("list@example.test?subject=re:x")).toBe(
      "mailto:list@example.test?subject=re:x",
    );
    expect(normalized("mailto:list@example.test")).toBe("mailto:list@example.test");
    expect(refused("news:list@example.test")).toBe(
      "list.help: the news: scheme is not allowed (https, http, mailto, ftp)",
    );
  });

  it("takes the https:, http:, mailto: and ftp: schemes in any case", () => {
    expect(normalized("ftp://ftp.example.test/pub/list")).toBe("ftp://ftp.example.test/pub/list");
    expect(normalized("HTTP://List.Example.Test/a")).toBe("http://list.example.test/a");
    expect(normalized("HTTPS://List.Example.Test/a")).toBe("https://list.example.test/a");
    expect(normalized("MAILTO:list@example.test")).toBe("mailto:list@example.test");
  });

  it("escapes the spaces a mailto: path keeps and refuses its angle brackets", () => {
    expect(normalized("mailto:a b@example.test")).toBe("mailto:a%20b@example.test");
    expect(normalized('mailto:"a  b"@example.test')).toBe('mailto:"a%20%20b"@example.test');
    for (const url of ["mailto:a<b@example.test", "mailto:a>b@example.test"]) {
      expect(refused(url)).toBe("list.help: holds characters a URL in a header cannot carry");
    }
  });
});
