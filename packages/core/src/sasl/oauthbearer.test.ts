import { describe, expect, it } from "vitest";
import { encodeBase64 } from "../base64.ts";
import { createOauthBearerClient } from "./oauthbearer.ts";

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const ascii = (value: string): Uint8Array => new TextEncoder().encode(value);

describe("OAUTHBEARER", () => {
  it("reproduces the RFC 7628 §4.1 initial response", () => {
    const client = createOauthBearerClient(
      "user@example.com",
      "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==",
      { host: "server.example.com", port: 143 },
    );
    expect(client.name).toBe("OAUTHBEARER");
    expect(client.complete).toBe(false);
    const message = client.initialResponse()!;
    expect(text(message)).toBe(
      "n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01",
    );
    expect(encodeBase64(message)).toBe(
      "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB",
    );
    expect(client.complete).toBe(true);
  });

  it("leaves out host and port when not given, and escapes the user name", () => {
    const client = createOauthBearerClient("a=b,c", "tok");
    expect(text(client.initialResponse()!)).toBe("n,a=a=3Db=2Cc,\x01auth=Bearer tok\x01\x01");
  });

  it("answers the error JSON with a lone \\x01 (RFC 7628 §3.2.3), once", () => {
    const client = createOauthBearerClient("u", "tok");
    client.initialResponse();
    const error = ascii('{"status":"invalid_token","scope":"example_scope"}');
    expect([...client.respond(error)]).toEqual([0x01]);
    expect(() => client.respond(error)).toThrow(
      expect.objectContaining({ kind: "auth", detail: "sasl-unexpected-challenge" }),
    );
  });

  it("sends its message on the empty 334 of a bare AUTH OAUTHBEARER", () => {
    const client = createOauthBearerClient("u", "tok", { port: 587 });
    expect(text(client.respond(new Uint8Array(0)))).toBe(
      "n,a=u,\x01port=587\x01auth=Bearer tok\x01\x01",
    );
  });

  it.each([
    ["a \\x01 in the user", "a\x01b", "token-secret-9", {}],
    ["a NUL in the user", "a\0b", "token-secret-9", {}],
    ["a control character in the token", "u", "token-secret-9\n", {}],
    ["a control character in the host", "u", "token-secret-9", { host: "h\x01" }],
    ["port 0", "u", "token-secret-9", { port: 0 }],
    ["port 65536", "u", "token-secret-9", { port: 65536 }],
    ["a fractional port", "u", "token-secret-9", { port: 1.5 }],
  ])("refuses %s without quoting the token", (_, user, token, target) => {
    let thrown: unknown;
    try {
      createOauthBearerClient(user, token, target);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ kind: "invalid-input" });
    expect((thrown as Error).message).not.toContain("token-secret");
  });
});
