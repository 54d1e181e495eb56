import { SmtpError } from "@smtp/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  connectRequest,
  credentialBytes,
  encodeAddress,
  greeting,
  passwordRequest,
  replyRemainder,
} from "./socks5.ts";

describe("SOCKS5 requests (RFC 1928, RFC 1929)", () => {
  it("offers no authentication, and username/password only with credentials", () => {
    expect([...greeting(false)]).toEqual([5, 1, 0]);
    expect([...greeting(true)]).toEqual([5, 2, 0, 2]);
  });

  it("a CONNECT to a name sends the name for the proxy to resolve; addresses as such", () => {
    expect([...connectRequest("mail.example.com", 587)]).toEqual([
      5,
      1,
      0,
      3,
      16,
      ...new TextEncoder().encode("mail.example.com"),
      2,
      75,
    ]);
    expect([...connectRequest("192.0.2.1", 25)]).toEqual([5, 1, 0, 1, 192, 0, 2, 1, 0, 25]);
    expect([...connectRequest("::1", 465)]).toEqual([
      5,
      1,
      0,
      4,
      ...new Array(15).fill(0),
      1,
      1,
      209,
    ]);
  });

  it("the port is big-endian, every port from 1 to 65535", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 65_535 }), (port) => {
        const request = connectRequest("127.0.0.1", port);
        expect(((request[8] as number) << 8) | (request[9] as number)).toBe(port);
      }),
    );
  });

  it("host names of 1 to 255 characters pass, 256 and odd characters are refused", () => {
    expect(encodeAddress("a".repeat(255))[1]).toBe(255);
    expect(encodeAddress("a")[1]).toBe(1);
    for (const host of [
      "a".repeat(256),
      "bad host",
      "mail\r\n.example",
      "exämple.com",
      "[::1]",
      "",
    ]) {
      expect(() => encodeAddress(host)).toThrow(SmtpError);
    }
  });

  it("credentials are 1 to 255 bytes of UTF-8, in the order RFC 1929 gives", () => {
    expect(credentialBytes("ä".repeat(127), "pass").byteLength).toBe(254);
    expect(() => credentialBytes("ä".repeat(128), "pass")).toThrow(/1 to 255 bytes/);
    expect(() => credentialBytes("", "user")).toThrow(/user/);
    const user = credentialBytes("u", "user");
    const pass = credentialBytes("pässwörd", "pass");
    expect([...passwordRequest(user, pass)]).toEqual([1, 1, 117, pass.byteLength, ...pass]);
  });

  it("a refused credential never appears in the error", () => {
    try {
      credentialBytes("s3cret".repeat(50), "pass");
    } catch (error) {
      expect(String((error as Error).message)).not.toContain("s3cret");
    }
  });

  it("a reply's length follows from its address type", () => {
    expect(replyRemainder(Uint8Array.of(5, 0, 0, 1, 127))).toBe(5);
    expect(replyRemainder(Uint8Array.of(5, 0, 0, 4, 0))).toBe(17);
    expect(replyRemainder(Uint8Array.of(5, 0, 0, 3, 9))).toBe(11);
    expect(replyRemainder(Uint8Array.of(5, 0, 0, 2, 0))).toBeUndefined();
  });
});
