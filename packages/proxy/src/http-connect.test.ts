import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { authority, basicCredentials, connectRequest, parseStatus } from "./http-connect.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

describe("HTTP CONNECT", () => {
  it("asks for host:port, an IPv6 address in brackets, with Basic credentials when given", () => {
    expect(text(connectRequest(authority("mail.example.com", 587), undefined))).toBe(
      "CONNECT mail.example.com:587 HTTP/1.1\r\nHost: mail.example.com:587\r\n\r\n",
    );
    expect(authority("::1", 25)).toBe("[::1]:25");
    const credentials = basicCredentials("Aladdin", "open sesame");
    expect(credentials).toBe("QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    expect(text(connectRequest("h:1", credentials))).toContain(
      "\r\nProxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n\r\n",
    );
  });

  it("credentials are UTF-8 (RFC 7617); a colon in the user or a control character is refused", () => {
    expect(atob(basicCredentials("usér", "pä:ss"))).toBe(
      String.fromCharCode(...new TextEncoder().encode("usér:pä:ss")),
    );
    expect(() => basicCredentials("a:b", "x")).toThrow(/must not contain ':'/);
    expect(() => basicCredentials("a", "x\r\nEvil: 1")).toThrow(/control characters/);
  });

  it("nothing that could end the request line reaches it", () => {
    fc.assert(
      fc.property(fc.string(), (host) => {
        try {
          const line = authority(host, 25);
          expect(line).not.toMatch(/[\s\0]/);
        } catch (error) {
          expect((error as { kind?: string }).kind).toBe("invalid-input");
        }
      }),
    );
  });

  it("reads the status line of HTTP/1.0 and 1.1 answers", () => {
    expect(parseStatus(bytes("HTTP/1.0 200 Connection established\r\n\r\n"))).toEqual({
      code: 200,
      reason: "Connection established",
    });
    expect(
      parseStatus(bytes("HTTP/1.1 407 Proxy Authentication Required\r\nX: y\r\n\r\n")),
    ).toEqual({ code: 407, reason: "Proxy Authentication Required" });
    expect(parseStatus(bytes("HTTP/1.1 502\r\n\r\n"))).toEqual({ code: 502, reason: "" });
    expect(
      parseStatus(bytes(`HTTP/1.1 403 ${"x".repeat(300)}\u0007\r\n\r\n`))?.reason,
    ).toHaveLength(120);
    for (const bad of [
      "SSH-2.0-OpenSSH\r\n\r\n",
      "HTTP/2 200\r\n\r\n",
      "HTTP/1.1 99 x\r\n\r\n",
      "\x05\x00",
    ]) {
      expect(parseStatus(bytes(bad))).toBeUndefined();
    }
  });
});
