import { describe, expect, it } from "vitest";
import type { Mailbox } from "../src/address.ts";
import { addressListWords, phraseWords, unstructuredWords } from "../src/header-values.ts";
import { createMessage, toBytes } from "../src/index.ts";
import { fixedOptions } from "./support.ts";

// Header values as words: which text stays raw, which goes into encoded-words, and how long
// the first encoded-word may be on the field's own line.

const subject = (text: string, smtpUtf8 = false) => unstructuredWords("Subject", text, smtpUtf8);

/** The header block of a built message, one string per line. */
async function headerLines(input: Parameters<typeof createMessage>[0]): Promise<string[]> {
  const text = new TextDecoder().decode(await toBytes(createMessage(input, fixedOptions())));
  return text.slice(0, text.indexOf("\r\n\r\n")).split("\r\n");
}

describe("raw UTF-8 in SMTPUTF8 mode", () => {
  it.each([
    ["a no-break space", "é\u00a0x", "=?UTF-8?B?w6nCoHg=?="],
    ["an ideographic space", "é\u3000x", "=?UTF-8?B?w6njgIB4?="],
    ["a C0 control", "é\u0001", "=?UTF-8?B?w6kB?="],
    ["DEL", "é\u007f", "=?UTF-8?B?w6l/?="],
    ["the first C1 control", "é\u0080", "=?UTF-8?Q?=C3=A9=C2=80?="],
    ["the last C1 control", "é\u009f", "=?UTF-8?Q?=C3=A9=C2=9F?="],
    ["a character whose last UTF-8 octet is 0xA0", "voilà", "=?UTF-8?Q?voil=C3=A0?="],
  ])("text with %s goes into encoded-words", (_label, text, word) => {
    expect(subject(text, true)).toEqual([word]);
  });

  it.each([
    ["the first character after the C1 controls", "é\u00a1"],
    ["a character whose last UTF-8 octet is 0xA1", "á"],
    ["a character whose last UTF-8 octet is 0x9F", "ß\u00df"],
    ["an ASCII backquote (0x60, low bits as a space)", "é`"],
  ])("text with %s stays raw", (_label, text) => {
    expect(subject(text, true)).toEqual([text]);
  });
});

describe("text that readers would change goes into encoded-words", () => {
  it.each([
    ["looks like an encoded-word", "a =?b", "=?UTF-8?Q?a_=3D=3Fb?="],
    ["starts with a space", " a", "=?UTF-8?Q?_a?="],
    ["ends with a space", "a ", "=?UTF-8?Q?a_?="],
    ["has two spaces in a row", "a  b", "=?UTF-8?Q?a__b?="],
  ])("text that %s", (_label, text, word) => {
    expect(subject(text)).toEqual([word]);
    expect(subject(text, true)).toEqual([word]);
  });

  it("other ASCII text stays raw, one word per space-separated piece", () => {
    expect(subject("a b=c ?=")).toEqual(["a", "b=c", "?="]);
  });
});

describe("unstructured values", () => {
  it("an empty value is no word at all: the field is written bare", async () => {
    expect(subject("")).toEqual([]);
    const lines = await headerLines({ from: "a@b.example", to: "c@d.example", subject: "" });
    expect(lines).toContain("Subject:");
  });

  it("a raw word of 900 octets stays raw, 901 goes into encoded-words", () => {
    expect(subject(`a ${"x".repeat(900)}`)).toEqual(["a", "x".repeat(900)]);
    expect(subject("é".repeat(450), true)).toEqual(["é".repeat(450)]);
    for (const text of [`a ${"x".repeat(901)}`, "é".repeat(451)]) {
      const words = subject(text, true);
      expect(words.length).toBeGreaterThan(1);
      for (const word of words) expect(word).toMatch(/^=\?UTF-8\?[QB]\?[^ ]*\?=$/);
    }
  });

  it("the first encoded-word fits beside a name of up to 52 characters, else goes to the next line", () => {
    const value = "é".repeat(20);
    // "Name: " leaves 24 columns of 78 beside a name of 52 characters: 4 "é" in B.
    expect(unstructuredWords("X".repeat(52), value, false)).toEqual([
      "=?UTF-8?B?w6nDqcOpw6k=?=",
      "=?UTF-8?B?w6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6k=?=",
    ]);
    // Under 24 columns a word would hold too little: the first word gets a whole line.
    expect(unstructuredWords("X".repeat(53), value, false)).toEqual([
      "=?UTF-8?B?w6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqQ==?=",
    ]);
  });
});

describe("display names as phrase words", () => {
  it("an empty name is an empty quoted string", () => {
    expect(phraseWords("", false)).toEqual(['""']);
  });

  it("an atom of 900 octets stays raw, 901 goes into encoded-words", () => {
    expect(phraseWords(`a ${"x".repeat(900)}`, false)).toEqual(["a", "x".repeat(900)]);
    const words = phraseWords(`a ${"x".repeat(901)}`, false);
    expect(words.length).toBeGreaterThan(1);
    for (const word of words) expect(word).toMatch(/^=\?UTF-8\?Q\?[^ ]*\?=$/);
  });

  it("a quoted name under 78 octets is one word; from 78 it is split at its spaces", () => {
    const name = (length: number) => `Doe, ${"x".repeat(length - 5)}`;
    expect(phraseWords(name(75), false)).toEqual([`"${name(75)}"`]);
    expect(phraseWords(name(76), false)).toEqual(['"Doe,', `${"x".repeat(71)}"`]);
  });

  it("a quoted word of 900 octets stays raw, 901 goes into encoded-words", () => {
    // A word with a quote: "." and 898 "x" and '"' are 900 octets, as are '"', "." and 897 "x"
    // and '"' (a name that does not fit on a line is split at its spaces, even into one word).
    expect(phraseWords(`a, .${"x".repeat(898)}`, false)).toEqual(['"a,', `.${"x".repeat(898)}"`]);
    expect(phraseWords(`.${"x".repeat(897)}`, false)).toEqual([`".${"x".repeat(897)}"`]);
    for (const name of [`a, .${"x".repeat(899)}`, `.${"x".repeat(898)}`]) {
      const words = phraseWords(name, false);
      expect(words.length).toBeGreaterThan(1);
      for (const word of words) expect(word).toMatch(/^=\?UTF-8\?Q\?[^ ]*\?=$/);
    }
  });
});

describe("address lists: the first display name shares its line with the field name", () => {
  const mailbox = (name: string): Mailbox => ({
    name,
    local: "a",
    domain: { unicode: "b.example", ascii: "b.example" },
  });
  /** A mostly-ASCII name (Q encoding, one column per letter) longer than any line. */
  const name = `é${"a".repeat(100)}`;
  /** The first encoded-word of `name` when it may be `length` characters long. */
  const firstWord = (length: number) => `=?UTF-8?Q?=C3=A9${"a".repeat(length - 18)}?=`;

  it("the first name's first word fills what the field name leaves of 78 columns", () => {
    expect(addressListWords("From", [mailbox(name)], false)[0]).toBe(firstWord(72));
    expect(addressListWords("To", [mailbox(name)], false)[0]).toBe(firstWord(74));
    expect(addressListWords("X", [mailbox(name)], false)[0]).toBe(firstWord(75));
  });

  it("the names after the first start their own line: their first word may be 75 long", () => {
    const words = addressListWords("From", [mailbox(name), mailbox(name)], false);
    const second = words.indexOf("<a@b.example>,") + 1;
    expect(words[0]).toBe(firstWord(72));
    expect(words[second]).toBe(firstWord(75));
  });

  it("beside a field name of 52 characters the first word is 24 long; from 53 it is 75", () => {
    expect(addressListWords("X".repeat(52), [mailbox(name)], false)[0]).toBe(firstWord(24));
    expect(addressListWords("X".repeat(53), [mailbox(name)], false)[0]).toBe(firstWord(75));
  });

  it("the From line with a long encoded name is exactly 78 columns", async () => {
    const lines = await headerLines({ from: { name, address: "a@b.example" }, to: "c@d.example" });
    const from = lines.find((line) => line.startsWith("From: "));
    expect(from).toBe(`From: ${firstWord(72)}`);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(78);
  });
});
