import { isIPv4, isIPv6 } from "node:net";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizeDomain } from "../src/domain.ts";
import { refusal } from "../src/errors.test-util.ts";
import { createMessage } from "../src/index.ts";
import { fixedOptions } from "./support.ts";

// normalizeDomain: what it accepts (both forms) and what it refuses, with the exact message.
// Many of these inputs never get past the address parser; the function is checked directly.

/** The message normalizeDomain refuses `domain` with (field "to"). */
function refused(domain: string): string {
  return refusal(() => normalizeDomain("to", domain)).message;
}

/** Dot-separated labels of "a" (at most 63 each) making exactly `length` characters. */
function asciiLabels(length: number): string {
  const labels: string[] = [];
  let left = length;
  while (left > 0) {
    const n = Math.min(63, left);
    labels.push("a".repeat(n));
    left -= n + 1; // the dot before the next label
  }
  if (left === 0) throw new Error(`${length} cannot end on a label`);
  return labels.join(".");
}

describe("address literals", () => {
  const literal = (inner: string) => normalizeDomain("to", `[${inner}]`).ascii;

  /** The four dotted quads with `octet` at one position and 1 at the others. */
  const withOctet = (octet: string) =>
    [0, 1, 2, 3].map((at) => ["1", "1", "1", "1"].map((o, i) => (i === at ? octet : o)).join("."));

  it.each(["0", "7", "10", "42", "99", "100", "150", "199", "200", "249", "250", "255"])(
    "takes the IPv4 octet %s at every position",
    (octet) => {
      for (const inner of withOctet(octet)) {
        expect(literal(inner)).toBe(`[${inner}]`);
        expect(literal(`IPv6:::ffff:${inner}`)).toBe(`[IPv6:::ffff:${inner}]`);
      }
    },
  );

  it.each(["256", "259", "260", "299", "300", "01", "001", "1000", "1a", "a1", ""])(
    "refuses the IPv4 octet %j at every position",
    (octet) => {
      for (const inner of withOctet(octet)) {
        expect(refused(`[${inner}]`)).toBe(`to: invalid address literal "[${inner}]"`);
        expect(refused(`[IPv6:::ffff:${inner}]`)).toBe(
          `to: invalid address literal "[IPv6:::ffff:${inner}]"`,
        );
      }
    },
  );

  it.each([
    ["eight groups", "IPv6:1:2:3:4:5:6:7:8"],
    ["seven groups and ::", "IPv6:1:2:3:4:5:6::7"],
    ["seven groups ending in ::", "IPv6:1:2:3:4:5:6:7::"],
    ["six groups and an IPv4 tail (two groups)", "IPv6:1:2:3:4:5:6:192.0.2.1"],
    ["five groups, ::, and an IPv4 tail", "IPv6:1:2:3:4::5:192.0.2.1"],
    ["four hex digits in either case", "IPv6:ffff:FFFF:0:aBcD::1"],
    ["only ::", "IPv6:::"],
    ["a lower-case tag", "ipv6:::1"],
  ])("takes an IPv6 literal: %s", (_label, inner) => {
    expect(literal(inner)).toBe(`[${inner}]`);
  });

  it.each([
    ["seven groups without ::", "1:2:3:4:5:6:7"],
    ["nine groups", "1:2:3:4:5:6:7:8:9"],
    ["eight groups and ::", "1:2:3:4:5:6:7::8"],
    ["two :: holding eight groups", "1:2:3::4:5::6:7:8"],
    ["seven groups and an IPv4 tail", "1:2:3:4:5:6:7:192.0.2.1"],
    ["six groups, ::, and an IPv4 tail", "1:2:3:4:5::6:192.0.2.1"],
    ["a non-hex group before ::", "1:g::1"],
    ["a non-hex group after ::", "1::g1"],
    ["five hex digits", "12345::1"],
    ["a bad IPv4 tail", "::ffff:256.0.2.1"],
    ["an IPv4 tail not at the end", "::192.0.2.1:1"],
    ["an empty group", "1:::2"],
  ])("refuses an IPv6 literal: %s", (_label, groups) => {
    expect(refused(`[IPv6:${groups}]`)).toBe(`to: invalid address literal "[IPv6:${groups}]"`);
  });

  it("property: a literal is taken exactly when Node takes its address (IPv6 without a zone)", () => {
    const piece = fc.constantFrom(
      ...["0", "7", "ab", "FFFF", "fffff", "x", ":", "::", ".", "1.", ".1", "255", "256", "010"],
      ...["192.0.2.1", ":1.2.3.4", "1.2.3.4:", "%", " "],
    );
    const text = fc.oneof(
      fc.array(piece, { maxLength: 12 }).map((pieces) => pieces.join("")),
      fc.ipV6(),
      fc.ipV4(),
    );
    const accepts = (domain: string) => {
      try {
        return normalizeDomain("to", domain).ascii === domain;
      } catch {
        return false;
      }
    };
    fc.assert(
      fc.property(text, (address) => {
        expect(accepts(`[IPv6:${address}]`)).toBe(isIPv6(address) && !address.includes("%"));
        expect(accepts(`[${address}]`)).toBe(isIPv4(address));
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    ["another tag", "[IPv7:::1]"],
    ["no closing bracket", "[192.0.2.12"],
    ["no closing bracket (IPv6)", "[IPv6:::12"],
    ["an empty literal", "[]"],
    ["three IPv4 octets", "[192.0.2]"],
    ["five IPv4 octets", "[192.0.2.1.1]"],
  ])("refuses a literal with %s", (_label, domain) => {
    expect(refused(domain)).toBe(`to: invalid address literal ${JSON.stringify(domain)}`);
  });
});

describe("domain names", () => {
  it("takes letters, digits, inner hyphens and underscores, as given in both forms", () => {
    expect(normalizeDomain("to", "My_Host-1.Example")).toEqual({
      unicode: "My_Host-1.Example",
      ascii: "My_Host-1.Example",
    });
  });

  it("takes 253 characters and refuses 254 and the empty domain", () => {
    expect(normalizeDomain("to", asciiLabels(253)).ascii).toHaveLength(253);
    expect(refused(asciiLabels(254))).toBe("to: domain must be 1 to 253 characters");
    expect(refused("")).toBe("to: domain must be 1 to 253 characters");
  });

  it("refuses a domain of 254 characters given as an address", () => {
    const error = refusal(() =>
      createMessage({ from: "a@b.example", to: `x@${asciiLabels(254)}` }, fixedOptions()),
    );
    expect(error.message).toBe("to: domain must be 1 to 253 characters");
  });

  it("takes a label of 63 characters and refuses 64", () => {
    expect(normalizeDomain("to", `${"a".repeat(63)}.example`).ascii).toBe(
      `${"a".repeat(63)}.example`,
    );
    expect(refused(`${"a".repeat(64)}.example`)).toBe("to: domain label longer than 63 octets");
  });

  it.each([
    ["a!b.example", "a!b.example"],
    ["a\u007fb.example", "a\u007fb.example"],
    ["bücher!.example", "bücher!.example"],
    // The character check comes before the label checks: not "empty label".
    ["a..b!c", "a..b!c"],
  ])("refuses the character in %j", (domain, shown) => {
    expect(refused(domain)).toBe(`to: invalid character in the domain ${JSON.stringify(shown)}`);
  });

  it.each([
    ["a.", "to: empty label in the domain"],
    [".a", "to: empty label in the domain"],
    ["-a.example", 'to: domain label starts or ends with "-": "-a"'],
    ["a.b-", 'to: domain label starts or ends with "-": "b-"'],
    ["host.123", 'to: numeric top-level label in "host.123" (an IP address must be a [literal])'],
  ])("refuses the labels of %j", (domain, message) => {
    expect(refused(domain)).toBe(message);
  });

  it.each(["host.a1", "host.1a", "123.example"])(
    "takes %j: only an all-digit top-level label is refused",
    (domain) => {
      expect(normalizeDomain("to", domain).ascii).toBe(domain);
    },
  );
});

describe("internationalised domain names", () => {
  it("checks the labels the URL mapping makes: a fullwidth ! becomes an ASCII one", () => {
    expect(refused("a\uff01b.example")).toBe('to: invalid character in the domain "a!b.example"');
  });

  it.each([
    ["a noncharacter", "ü\uffff.example"],
    ["a soft hyphen alone, which maps to an empty host", "\u00ad"],
  ])(
    "refuses what the URL parser refuses (%s), keeping its error as the cause",
    (_label, domain) => {
      const error = refusal(() => normalizeDomain("to", domain));
      expect(error.message).toBe(`to: invalid internationalised domain ${JSON.stringify(domain)}`);
      expect(error.cause).toBeInstanceOf(TypeError);
    },
  );

  it("takes a punycode form of 253 characters and refuses 254", () => {
    // "ü" is "xn--tda": 7 characters for 1.
    const at = (length: number) => `ü.${asciiLabels(length - "xn--tda.".length)}`;
    expect(normalizeDomain("to", at(253))).toEqual({
      unicode: at(253),
      ascii: `xn--tda.${asciiLabels(245)}`,
    });
    expect(refused(at(254))).toBe(`to: invalid internationalised domain "${at(254)}"`);
    // Short as given, far too long once mapped.
    const many = `${"ü.".repeat(126)}ü`;
    expect(many).toHaveLength(253);
    expect(refused(many)).toBe(`to: invalid internationalised domain "${many}"`);
  });

  it("refuses an A-label that is not valid Punycode (the delimiter with no basic code point before it)", () => {
    // The URL parser lets "xn---64rc" through; RFC 3492 reads its "-" as a digit, which fails.
    expect(new URL("http://ü.xn---64rc.example/").hostname).toBe("xn--tda.xn---64rc.example");
    expect(refused("ü.xn---64rc.example")).toBe(
      'to: invalid internationalised domain "ü.xn---64rc.example"',
    );
  });

  it("writes the U-labels of A-labels in the SMTPUTF8 form", () => {
    expect(normalizeDomain("to", "ü.XN--LS8H.example")).toEqual({
      unicode: "ü.💩.example",
      ascii: "xn--tda.xn--ls8h.example",
    });
  });
});
