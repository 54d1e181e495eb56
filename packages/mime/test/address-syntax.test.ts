import { describe, expect, it } from "vitest";
import { parseAddrSpec } from "../src/address-parser.ts";
import { refusal } from "../src/errors.test-util.ts";
import { parseAddressList } from "../src/index.ts";

// The address parser's verdicts, exactly: what it reads out of accepted text, and the one
// message (with its index, where it has one) for each way text is refused.

/** `parse` refuses `text` with exactly `message`, naming the field it was given. */
function expectRefused(
  parse: (field: string, text: string) => unknown,
  text: string,
  message: string,
) {
  const error = refusal(() => parse("to", text));
  expect(error.field).toBe("to");
  expect(error.message).toBe(`to: ${message}`);
}

const mailbox = (local: string, domain: string, name = "") => ({ name, local, domain });

describe("address parser: what it reads", () => {
  it.each([
    // Whitespace and comments between words of a display name read as one space.
    ["A\tB <a@b.example>", [mailbox("a", "b.example", "A B")]],
    ["Bob(a comment)Smith <a@b.example>", [mailbox("a", "b.example", "Bob Smith")]],
    // A special in a name keeps the spacing written around it.
    ["John.Q <a@b.example>", [mailbox("a", "b.example", "John.Q")]],
    ["John .Q <a@b.example>", [mailbox("a", "b.example", "John .Q")]],
    ["John. Q <a@b.example>", [mailbox("a", "b.example", "John. Q")]],
    // An angle-addr with no name at all.
    ["<a@b.example>", [mailbox("a", "b.example")]],
    ["<a@b.example>, <c@d.example>", [mailbox("a", "b.example"), mailbox("c", "d.example")]],
    ["G: <a@b.example>; c@d.example", [mailbox("a", "b.example"), mailbox("c", "d.example")]],
    // Dots between the words of a local part.
    ["a.b.c@d.example", [mailbox("a.b.c", "d.example")]],
    ['"a b".c@d.example', [mailbox("a b.c", "d.example")]],
    // A quoted-pair in a comment does not end or open it.
    ["a(x\\)y)@b.example", [mailbox("a", "b.example")]],
    ["a(x\\(y)@b.example", [mailbox("a", "b.example")]],
    // A quoted-pair in a quoted string stands for its character, whitespace too.
    ['"a\\ b"@x.example', [mailbox("a b", "x.example")]],
    ['"a\\\tb"@x.example', [mailbox("a\tb", "x.example")]],
    ['"a\\\\b"@x.example', [mailbox("a\\b", "x.example")]],
    ['""@x.example', [mailbox("", "x.example")]],
    ["a@localhost", [mailbox("a", "localhost")]],
  ])("%s", (text, expected) => {
    expect(parseAddressList("to", text)).toEqual(expected);
  });

  it("an addr-spec alone has no name", () => {
    expect(parseAddrSpec("to", " a.b@c.example ")).toEqual(mailbox("a.b", "c.example"));
    expect(parseAddrSpec("to", "a@b")).toEqual(mailbox("a", "b"));
  });
});

describe("address parser: each refusal and its message", () => {
  it.each([
    // Characters that can start no token.
    ["a)b@c.example", 'unexpected ")" at index 1'],
    ["ab]@c.example", 'unexpected "]" at index 2'],
    ["a\\b@c.example", 'unexpected "\\" at index 1'],
    ["a\u0001b@c.example", "control character at index 1"],
    ["a\u001fb@c.example", "control character at index 1"],
    ["ab\u007f@c.example", "control character at index 2"],
    ["\u0000a@c.example", "control character at index 0"],
    // Unterminated tokens.
    ["a@b.example (c", "unterminated comment"],
    ["a@b.example (c (d)", "unterminated comment"],
    ["a@b.example (c\\)", "unterminated comment"],
    ['"abc@b.example', "unterminated quoted string"],
    ['"abc\\"@b.example', "unterminated quoted string"],
    ["a@[192.0.2.1", "unterminated domain literal"],
    ["a@[192.0 .2.1]", "invalid domain literal"],
    ["a@[192.0[2.1]", "invalid domain literal"],
    ["a@[192.0\\.2.1]", "invalid domain literal"],
    // Structure of a list.
    ["Bob <a@b.example", '"<" without ">"'],
    ["<a@b.example> x", 'text after ">"'],
    ["<a@b.example> @c.example", 'text after ">"'],
    ["<a@b.example>:", 'text after ">"'],
    // A quoted "," is a word, not a separator: refused at once, not when words run out.
    [`<a@b.example>${' ","'.repeat(994)}`, 'text after ">"'],
    ["<a,b@c.example>", '"," inside "<…>"'],
    ["G: <a;b@c.example>;", '";" inside "<…>"'],
    ["a@b.example;", '";" outside a group'],
    ["<a:b@c.example>", '":" inside "<…>"'],
    ["G: H: a@b.example;;", "nested group"],
    ["<<a@b.example>>", 'nested "<"'],
    ["a@b.example>", '">" without "<"'],
    ["a@b@c.example>", 'more than one unquoted "@"'],
    ["<a@b@c.example", 'more than one unquoted "@"'],
    ["G: a@b.example", 'group without ";"'],
    // Display names and group names are phrases.
    ["a@b <c@d.example>", 'unexpected "@" in a display name'],
    ["a@b: c@d.example;", 'unexpected "@" in a display name'],
    ["[192.0.2.1] <a@b.example>", "unexpected domain literal in a name"],
    // The addr-spec.
    ["nobody", 'no "@" in the address'],
    ["@b.example", "empty local part"],
    ["<@b.example>", "empty local part"],
    [".a@b.example", 'misplaced "." in the local part'],
    ["a..b@c.example", 'misplaced "." in the local part'],
    ["a.@b.example", 'local part ends with "."'],
    ['a "b"@c.example', "invalid local part"],
    ['"a""b"@c.example', "invalid local part"],
    ["a[1]@b.example", 'unexpected "[1]" in the local part'],
    ['a@"b"', "invalid domain"],
    ["a@.", "invalid domain"],
    ["a@b..c", "invalid domain"],
    ["a@b c", "invalid domain"],
    ['a@b"."c', "invalid domain"],
    ["a@[192.0.2.1].x", "invalid domain"],
    ["a@[192.0.2.1][5]", "invalid domain"],
    ["a@", "empty or invalid domain"],
    ["a@b.", "empty or invalid domain"],
  ])("%s: %s", (text, message) => expectRefused(parseAddressList, text, message));

  // A bare addr-spec has no list structure: each special reaches the addr-spec rules.
  it.each([
    ["a@b@c.example", 'more than one unquoted "@"'],
    ["@b@c.example", 'more than one unquoted "@"'],
    ["a:b@c.example", 'unexpected ":" in the local part'],
    ["a<b@c.example", 'unexpected "<" in the local part'],
    ["a@b:c", "invalid domain"],
    ["a@b>c", "invalid domain"],
  ])("bare addr-spec %s: %s", (text, message) => expectRefused(parseAddrSpec, text, message));
});
