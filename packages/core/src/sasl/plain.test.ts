import { describe, expect, it } from "vitest";
import { encodeBase64 } from "../base64.ts";
import { SmtpError } from "../errors.ts";
import { createPlainClient } from "./plain.ts";

const text = (bytes: Uint8Array | null): string | null =>
  bytes === null ? null : new TextDecoder().decode(bytes);

describe("PLAIN", () => {
  it("sends NUL user NUL password as the initial response (RFC 4616)", () => {
    const client = createPlainClient("user@example.test", "password");
    expect(client.name).toBe("PLAIN");
    expect(client.complete).toBe(false);
    const message = client.initialResponse();
    expect(text(message)).toBe("\0user@example.test\0password");
    expect(encodeBase64(message!)).toBe("AHVzZXJAZXhhbXBsZS50ZXN0AHBhc3N3b3Jk");
    expect(client.complete).toBe(true);
  });

  it("encodes non-ASCII credentials as UTF-8", () => {
    const client = createPlainClient("utf8user@example.test", "pässwörd");
    const message = client.initialResponse()!;
    expect([...message.subarray(-10)]).toEqual([
      0x70, 0xc3, 0xa4, 0x73, 0x73, 0x77, 0xc3, 0xb6, 0x72, 0x64,
    ]);
    expect(text(message)).toBe("\0utf8user@example.test\0pässwörd");
  });

  it("answers the empty 334 of a bare AUTH PLAIN with the same message", () => {
    const client = createPlainClient("u", "p");
    expect(text(client.respond(new Uint8Array(0)))).toBe("\0u\0p");
    expect(client.complete).toBe(true);
  });

  it("treats any further challenge as an auth error", () => {
    const client = createPlainClient("u", "secret-pass");
    client.initialResponse();
    expect(() => client.respond(new Uint8Array(0))).toThrow(SmtpError);
    try {
      client.respond(new Uint8Array(0));
    } catch (error) {
      expect(error).toMatchObject({ kind: "auth", detail: "sasl-unexpected-challenge" });
      expect(String((error as Error).message)).not.toContain("secret-pass");
    }
  });

  it.each([
    ["user", "a\0b", "p"],
    ["password", "u", "p\0q"],
  ])("refuses a NUL in the %s", (_, user, pass) => {
    expect(() => createPlainClient(user, pass)).toThrow(
      expect.objectContaining({ kind: "invalid-input" }),
    );
  });
});
