import { isIPv6 } from "node:net";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { caught } from "./errors.test-util.ts";
import { assertValidAddress, isValidEhloName } from "./validate.ts";
import { encodeUtf8AddrUnitext, encodeXtext } from "./xtext.ts";

describe("isValidEhloName", () => {
  const expectVerdict = (valid: boolean, names: string[]) => {
    for (const name of names) expect(isValidEhloName(name), name).toBe(valid);
  };

  it("accepts domains and address literals", () => {
    expectVerdict(true, [
      "client.example",
      "a-b.example.",
      // 253 octets: the longest domain.
      `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}`,
      "[192.0.2.1]",
      "[IPv6:2001:db8::1]",
      "[IPv6:::1]",
      "[IPv6:1:2:3:4:5:6:7:8]",
      "[IPv6:::ffff:192.0.2.1]",
    ]);
  });

  it("refuses everything else", () => {
    expectVerdict(false, [
      "",
      // One label is not a host's primary name (RFC 5321 §4.1.1.1).
      "localhost",
      // 254 octets.
      `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(62)}`,
      "bad name",
      "-a.example",
      "a-.example",
      "a..b",
      "x\r\nMAIL FROM:<a>",
      "[300.0.0.1]",
      "[IPv6:1:2:3:4:5:6:7:8:9]",
      "[IPv6:1::2::3]",
      "[IPv6:zz::1]",
      "[IPv6:1:2:3:4:5:6:7::8]",
      "[IPv6:::ffff:999.0.2.1]",
      "[example]",
      `${"a".repeat(64)}.example`,
      "a.".repeat(130),
      "ünï.example",
    ]);
  });

  it("accepts one-character labels", () => {
    expectVerdict(true, ["a.example", "x.y"]);
  });

  it("IPv4 literals: every octet 0 to 255 without leading zeros, exactly four", () => {
    expectVerdict(true, [
      "[0.0.0.0]",
      "[255.255.255.255]",
      "[249.199.99.9]",
      "[10.255.249.199]",
      "[9.10.100.250]",
      "[99.1.10.0]",
    ]);
    expectVerdict(false, [
      "[256.0.0.1]",
      "[1.2.3.256]",
      "[260.0.0.1]",
      "[1.2.3.260]",
      "[01.2.3.4]",
      "[1.2.3.04]",
      "[1300.0.0.1]",
      "[1.2.3.4567]",
      "[1.2.3]",
      "[1.2.3.4.5]",
      "[1.2.3.a]",
      "[a.2.3.4]",
    ]);
  });

  it("an address literal needs both brackets and the IPv6 tag at its start", () => {
    expectVerdict(false, ["x192.0.2.1]", "[192.0.2.1x", "192.0.2.1]", "[192.0.2.1", "[aIPv6::1]"]);
  });

  it("IPv6 literals: at most eight groups, seven beside '::', an IPv4 tail counting two", () => {
    expectVerdict(true, [
      "[IPv6:1:2:3:4:5:6::7]",
      "[IPv6:1::2:3:4:5:6:7]",
      "[IPv6:1:2:3:4:5:6:1.2.3.4]",
      "[IPv6:1:2:3:4:5::1.2.3.4]",
      "[IPv6:::1.2.3.4]",
      "[IPv6:ABCD:ef01::]",
    ]);
    expectVerdict(false, [
      "[IPv6:1:2:3:4:5:6:7]",
      "[IPv6:1:2:3:4:5:6:7:1.2.3.4]",
      "[IPv6:1:2:3:4:5:6::1.2.3.4]",
      "[IPv6:1:2:3:4:5:1.2.3.4]",
      "[IPv6:12345::1]",
      "[IPv6:1::12345]",
      "[IPv6:1:12345::1]",
      "[IPv6:1.2::1.2.3.4]",
      "[IPv6:1g::1]",
      "[IPv6:1::g1]",
      "[IPv6: ::1]",
      "[IPv6:::1 ]",
      "[IPv6:]",
    ]);
  });

  it("property: an IPv6 literal is accepted exactly when Node's isIPv6 accepts its text without a zone", () => {
    const piece = fc.constantFrom(
      ...["0", "1", "a", "F", "ffff", "12345", "g", ":", "::", ".", "1.2.3.4", "256", "01"],
      ...[" ", "%", "ü", "\n"],
    );
    const text = fc.oneof(
      fc.array(piece, { maxLength: 14 }).map((pieces) => pieces.join("")),
      fc.ipV6(),
      fc.ipV6().map((address) => address.toUpperCase()),
    );
    fc.assert(
      fc.property(text, (address) => {
        // A zone ("fe80::1%eth0") means nothing to the server: not in an address literal.
        expect(isValidEhloName(`[IPv6:${address}]`)).toBe(
          isIPv6(address) && !address.includes("%"),
        );
      }),
      { numRuns: 5000 },
    );
  });
});

describe("assertValidAddress", () => {
  it("allows the null reverse-path only where asked", () => {
    expect(() => assertValidAddress("", "sender", false, true)).not.toThrow();
    expect(() => assertValidAddress("", "recipient", false, false)).toThrow(/empty/);
  });
  it("refuses control characters, long addresses and non-ASCII without SMTPUTF8", () => {
    expect(() => assertValidAddress("a\x01@b", "x", false, false)).toThrow(/control/);
    expect(() => assertValidAddress(`${"a".repeat(999)}@b`, "x", false, false)).toThrow(/too long/);
    expect(() => assertValidAddress("ü@b", "x", false, false)).toThrow(/smtpUtf8/);
    expect(() => assertValidAddress("ü@b", "x", true, false)).not.toThrow();
    expect(() => assertValidAddress("a\nb@c", "x", true, false)).toThrow(/CR, LF or NUL/);
  });

  const refusal = (address: string, utf8 = false) => {
    const error = caught(() => assertValidAddress(address, "the address", utf8, false));
    return { kind: error.kind, message: error.message, detail: error.detail };
  };
  const badAddress = (message: string) => ({
    kind: "invalid-input",
    message,
    detail: "bad-address",
  });

  it("says what is wrong with each refused address, with its detail", () => {
    const startsWithDash = badAddress('the address starts with "-"');
    expect(refusal("-x@example.org")).toEqual(startsWithDash);
    expect(refusal('-"a b"@example.org')).toEqual(startsWithDash);
    expect(refusal("-ü@example.org", true)).toEqual(startsWithDash);
    expect(refusal("")).toEqual(badAddress("the address is empty"));
    const brackets = badAddress('the address contains "<" or ">"');
    for (const address of ["a>@example.org", "a<b@example.org", "<", ">"]) {
      expect(refusal(address), address).toEqual(brackets);
    }
    const whitespace = badAddress("the address contains whitespace");
    expect(refusal("a b@example.org")).toEqual(whitespace);
    expect(refusal('"a b"@exam ple.org')).toEqual(whitespace);
    const control = badAddress("the address contains a control character");
    expect(refusal("a\x01@example.org")).toEqual(control);
    expect(refusal("a\x7f@example.org")).toEqual(control);
    const notAscii = {
      kind: "invalid-input",
      message: "the address is not ASCII: set smtpUtf8",
      detail: "needs-smtputf8",
    };
    expect(refusal("ü@example.org")).toEqual(notAscii);
    expect(refusal("üñï")).toEqual(notAscii);
    expect(refusal("a\r@example.org")).toEqual({
      kind: "invalid-input",
      message: "the address contains CR, LF or NUL",
      detail: "line-break",
    });
  });

  it("allows 998 characters, refuses 999, plain or with a quoted local part", () => {
    const tooLong = badAddress("the address is too long");
    const plain = (n: number) => `${"a".repeat(n - 12)}@example.org`;
    const quoted = (n: number) => `"a b"@${"e".repeat(n - 6)}`;
    for (const address of [plain(997), plain(998), quoted(997), quoted(998)]) {
      expect(() => assertValidAddress(address, "x", false, false)).not.toThrow();
    }
    expect(refusal(plain(999))).toEqual(tooLong);
    expect(refusal(quoted(999))).toEqual(tooLong);
  });

  it("counts the 998 in UTF-8 octets for an SMTPUTF8 address", () => {
    const tooLong = badAddress("the address is too long");
    // "é" is one UTF-16 unit and two octets: 493 of them and "@example.org" make 998 octets.
    const wide = (extra: string) => `${"é".repeat(493)}${extra}@example.org`;
    expect(() => assertValidAddress(wide(""), "the address", true, false)).not.toThrow();
    expect(refusal(wide("a"), true)).toEqual(tooLong);
    // 505 UTF-16 units but 1,010 octets.
    expect(refusal(`${"é".repeat(499)}@example.org`, true)).toEqual(tooLong);
  });

  it("accepts quotes, and whitespace inside a quoted local part", () => {
    for (const address of ['"a b"@example.org', '"ab"@example.org', '"\\" x"@example.org']) {
      expect(() => assertValidAddress(address, "x", false, false), address).not.toThrow();
    }
  });
});

describe("encodeXtext", () => {
  it("keeps printable ASCII except + and =, hex-encodes the rest", () => {
    expect(encodeXtext("abc")).toBe("abc");
    expect(encodeXtext("a+b=c d\r\n")).toBe("a+2Bb+3Dc+20d+0D+0A");
    expect(encodeXtext("é")).toBe("+C3+A9");
  });

  it("the printable range ends at '!' and '~'", () => {
    expect(encodeXtext(" !~\x7f")).toBe("+20!~+7F");
  });
});

describe("encodeUtf8AddrUnitext", () => {
  it("escapes space, controls, DEL, '+', '=' and '\\'; keeps the rest, UTF-8 included", () => {
    expect(encodeUtf8AddrUnitext("a\x7f b!~\x00")).toBe("a\\x{7F}\\x{20}b!~\\x{0}");
    expect(encodeUtf8AddrUnitext("ü+=\\@例え.jp")).toBe("ü\\x{2B}\\x{3D}\\x{5C}@例え.jp");
  });
});
