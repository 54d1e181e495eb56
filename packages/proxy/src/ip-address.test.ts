import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseIpv4, parseIpv6 } from "./ip-address.ts";

const hex = (bytes: Uint8Array | undefined) =>
  bytes === undefined ? undefined : [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");

describe("parseIpv4", () => {
  it("reads every dotted quad back to its bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (bytes) => {
        expect(parseIpv4([...bytes].join("."))).toEqual(bytes);
      }),
    );
  });

  it.each(["256.0.0.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.-4", "a.b.c.d", "", "1..2.3"])(
    "refuses %j",
    (text) => expect(parseIpv4(text)).toBeUndefined(),
  );
});

describe("parseIpv6", () => {
  it("reads the full form, and the compressed form Node prints, back to the same bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        const groups = Array.from({ length: 8 }, (_, i) =>
          (((bytes[i * 2] as number) << 8) | (bytes[i * 2 + 1] as number)).toString(16),
        );
        expect(parseIpv6(groups.join(":"))).toEqual(bytes);
        // The URL parser prints the canonical compressed form (RFC 5952).
        const compressed = new URL(`http://[${groups.join(":")}]/`).hostname.slice(1, -1);
        expect(parseIpv6(compressed)).toEqual(bytes);
      }),
    );
  });

  it.each([
    ["::1", "00000000000000000000000000000001"],
    ["::", "00000000000000000000000000000000"],
    ["2001:db8::", "20010db8000000000000000000000000"],
    ["::ffff:192.0.2.1", "00000000000000000000ffffc0000201"],
    ["fe80::1:2", "fe800000000000000000000000010002"],
  ])("%s", (text, bytes) => expect(hex(parseIpv6(text))).toBe(bytes));

  it.each([
    "1::2::3",
    "1:2:3:4:5:6:7",
    "1:2:3:4:5:6:7:8:9",
    "12345::",
    "::g",
    "1.2.3.4::",
    "::1.2.3",
    "[::1]",
    "localhost",
    "1:2:3:4:5:6:7::8",
  ])("refuses %j", (text) => expect(parseIpv6(text)).toBeUndefined());
});
