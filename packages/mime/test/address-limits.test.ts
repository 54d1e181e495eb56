import { describe, expect, it } from "vitest";
import { parseAddrSpec } from "../src/address-parser.ts";
import { MAX_ADDRESS_INPUT, parseAddressList } from "../src/index.ts";
import { refusal } from "./support.ts";

// The address parser's bounds (R4), each at the limit and one over.

/** One mailbox of exactly `tokens` tokens: name words, then `<`, a, @, b, ., example, `>`. */
function mailboxOfTokens(tokens: number): string {
  return `${"w ".repeat(tokens - 7)}<a@b.example>`;
}

describe("address parser limits", () => {
  it("takes 1000 words in one address and refuses 1001", () => {
    const [mailbox] = parseAddressList("to", mailboxOfTokens(1000));
    expect(mailbox).toEqual({ name: "w ".repeat(993).trim(), local: "a", domain: "b.example" });
    expect(refusal(() => parseAddressList("to", mailboxOfTokens(1001)))).toMatch(
      /more than 1000 words in one address/,
    );
  });

  it("counts words per address: each mailbox of a list, and after a group name, starts again", () => {
    const list = [mailboxOfTokens(1000), mailboxOfTokens(1000)].join(", ");
    expect(parseAddressList("to", list)).toHaveLength(2);
    // "G" and ":" are dropped with the group name: the member has its own 1000.
    expect(parseAddressList("to", `G: ${mailboxOfTokens(1000)};`)).toHaveLength(1);
  });

  it("takes a word of 2048 characters and refuses 2049 (atom and quoted string)", () => {
    const atom = (n: number) => `${"x".repeat(n)}@b.example`;
    expect(parseAddrSpec("to", atom(2048)).local).toHaveLength(2048);
    expect(refusal(() => parseAddrSpec("to", atom(2049)))).toMatch(/longer than 2048/);
    const quoted = (n: number) => `"${"x".repeat(n)}"@b.example`;
    expect(parseAddressList("to", quoted(2048))[0]?.local).toHaveLength(2048);
    expect(refusal(() => parseAddressList("to", quoted(2049)))).toMatch(/longer than 2048/);
    // A quoted-pair counts as written (two characters) before it is unescaped.
    expect(refusal(() => parseAddressList("to", `"${"\\x".repeat(1025)}"@b.example`))).toMatch(
      /longer than 2048/,
    );
  });

  it(`takes input of exactly ${MAX_ADDRESS_INPUT} characters and refuses one more`, () => {
    const padded = (n: number) => `a@b.example${" ".repeat(n - "a@b.example".length)}`;
    expect(padded(MAX_ADDRESS_INPUT)).toHaveLength(MAX_ADDRESS_INPUT);
    expect(parseAddressList("to", padded(MAX_ADDRESS_INPUT))).toHaveLength(1);
    expect(parseAddrSpec("to", padded(MAX_ADDRESS_INPUT)).domain).toBe("b.example");
    for (const parse of [parseAddressList, parseAddrSpec]) {
      expect(refusal(() => parse("to", padded(MAX_ADDRESS_INPUT + 1)))).toMatch(/longer than/);
    }
  });
});
