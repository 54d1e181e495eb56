import { describe, expect, it } from "vitest";
import { assertValidAddress, isValidEhloName } from "./validate.ts";
import { encodeXtext } from "./xtext.ts";

describe("isValidEhloName", () => {
  it("accepts domains and address literals", () => {
    for (const ok of [
      "client.example",
      "a-b.example.",
      // 253 octets: the longest domain.
      `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}`,
      "[192.0.2.1]",
      "[IPv6:2001:db8::1]",
      "[IPv6:::1]",
      "[IPv6:1:2:3:4:5:6:7:8]",
      "[IPv6:::ffff:192.0.2.1]",
    ]) {
      expect(isValidEhloName(ok), ok).toBe(true);
    }
  });

  it("refuses everything else", () => {
    for (const bad of [
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
    ]) {
      expect(isValidEhloName(bad), bad).toBe(false);
    }
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
});

describe("encodeXtext", () => {
  it("keeps printable ASCII except + and =, hex-encodes the rest", () => {
    expect(encodeXtext("abc")).toBe("abc");
    expect(encodeXtext("a+b=c d\r\n")).toBe("a+2Bb+3Dc+20d+0D+0A");
    expect(encodeXtext("é")).toBe("+C3+A9");
  });
});
