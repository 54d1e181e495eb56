import { describe, expect, it } from "vitest";
import { decodeBase64, encodeBase64 } from "../base64.ts";
import { createXoauth2Client } from "./xoauth2.ts";

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

describe("XOAUTH2", () => {
  it("sends user and bearer token as the initial response", () => {
    const client = createXoauth2Client(
      "someuser@example.com",
      "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg",
    );
    expect(client.name).toBe("XOAUTH2");
    expect(client.complete).toBe(false);
    const message = client.initialResponse()!;
    expect(text(message)).toBe(
      "user=someuser@example.com\x01auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\x01\x01",
    );
    // Google's documented example of the same string, base64-encoded.
    expect(encodeBase64(message)).toBe(
      "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==",
    );
    expect(client.complete).toBe(true);
  });

  it("answers the error JSON challenge with an empty response, once", () => {
    const client = createXoauth2Client("user@example.test", "token");
    client.initialResponse();
    const error = decodeBase64(
      encodeBase64(
        new TextEncoder().encode(
          '{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}',
        ),
      ),
    );
    expect(client.respond(error)).toEqual(new Uint8Array(0));
    expect(() => client.respond(error)).toThrow(
      expect.objectContaining({ kind: "auth", detail: "sasl-unexpected-challenge" }),
    );
  });

  it("sends the token message on the empty 334 of a bare AUTH XOAUTH2", () => {
    const client = createXoauth2Client("u", "t");
    expect(text(client.respond(new Uint8Array(0)))).toBe("user=u\x01auth=Bearer t\x01\x01");
    expect(client.complete).toBe(true);
  });

  it.each([
    ["user", "a\x01b", "token-secret-1"],
    ["token", "u", "token-secret-2\x01"],
  ])("refuses a \\x01 in the %s", (_, user, token) => {
    let thrown: unknown;
    try {
      createXoauth2Client(user, token);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ kind: "invalid-input" });
    expect((thrown as Error).message).not.toContain(token);
  });
});
