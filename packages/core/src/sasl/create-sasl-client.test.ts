import { describe, expect, it } from "vitest";
import { caught } from "../errors.test-util.ts";
import type { AuthMethod, Credentials } from "../session-types.ts";
import { createSaslClient } from "./create-sasl-client.ts";

const PASSWORD = "s3cret-Pässword";
const TOKEN = "ya29.s3cret-token";
const password: Credentials = { user: "user@example.test", pass: PASSWORD };
const token: Credentials = { user: "user@example.test", accessToken: TOKEN };
const randomBytes = (length: number) => Uint8Array.from({ length }, (_, i) => i);

describe("createSaslClient", () => {
  it.each<[AuthMethod, Credentials]>([
    ["PLAIN", password],
    ["LOGIN", password],
    ["CRAM-MD5", password],
    ["SCRAM-SHA-256", password],
    ["XOAUTH2", token],
    ["OAUTHBEARER", token],
  ])("creates a %s client", (method, credentials) => {
    const client = createSaslClient(method, credentials, { randomBytes });
    expect(client.name).toBe(method);
    expect(client.complete).toBe(false);
  });

  it("gives SCRAM a nonce from randomBytes", () => {
    const client = createSaslClient("SCRAM-SHA-256", password, { randomBytes });
    const expectedNonce = Buffer.from(randomBytes(24)).toString("base64");
    expect(new TextDecoder().decode(client.initialResponse()!)).toBe(
      `n,,n=user@example.test,r=${expectedNonce}`,
    );
  });

  it("passes host and port through to OAUTHBEARER", () => {
    const client = createSaslClient("OAUTHBEARER", token, { host: "mx.example.test", port: 587 });
    expect(new TextDecoder().decode(client.initialResponse()!)).toBe(
      `n,a=user@example.test,\x01host=mx.example.test\x01port=587\x01auth=Bearer ${TOKEN}\x01\x01`,
    );
  });

  it("needs randomBytes for SCRAM-SHA-256", () => {
    expect(caught(() => createSaslClient("SCRAM-SHA-256", password))).toMatchObject({
      kind: "invalid-input",
    });
  });

  it.each<[AuthMethod, Credentials]>([
    ["PLAIN", token],
    ["LOGIN", token],
    ["CRAM-MD5", token],
    ["SCRAM-SHA-256", token],
    ["XOAUTH2", password],
  ])(
    "refuses %s with the wrong kind of credentials, without quoting them",
    (method, credentials) => {
      const error = caught(() => createSaslClient(method, credentials, { randomBytes }));
      expect(error.kind).toBe("invalid-input");
      const seen = `${error.message} ${error.stack} ${JSON.stringify(error)}`;
      expect(seen).not.toContain(PASSWORD);
      expect(seen).not.toContain(TOKEN);
    },
  );
});
