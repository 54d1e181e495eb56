import { describe, expect, it } from "vitest";
import { caught } from "../errors.test-util.ts";
import type { AuthMethod, Credentials } from "../session-types.ts";
import { createBearerTokenClient } from "./bearer-token.ts";
import { createCramMd5Client } from "./cram-md5.ts";
import { createSaslClient } from "./create-sasl-client.ts";
import { authFailure, invalidCredentials } from "./failures.ts";
import { createLoginClient } from "./login.ts";
import { createOauthBearerClient } from "./oauthbearer.ts";
import { createPlainClient } from "./plain.ts";
import { createXoauth2Client } from "./xoauth2.ts";

// Every refusal of a SASL mechanism names the mechanism and says, in fixed words, what was
// wrong: the caller can act on it, and no credential is ever quoted (R14).

const ascii = (value: string): Uint8Array => new TextEncoder().encode(value);

/** A client that has sent everything it has to send. */
function finished(make: () => { respond(c: Uint8Array): Uint8Array }, challenges: number) {
  const client = make();
  for (let i = 0; i < challenges; i++) client.respond(ascii(`challenge ${i}`));
  return client;
}

describe("SASL refusals", () => {
  it("authFailure and invalidCredentials name the mechanism", () => {
    expect(authFailure("LOGIN", "went wrong", "sasl-bad-challenge")).toMatchObject({
      kind: "auth",
      message: "LOGIN: went wrong",
      detail: "sasl-bad-challenge",
    });
    expect(invalidCredentials("PLAIN", "cannot carry that")).toMatchObject({
      kind: "invalid-input",
      message: "PLAIN: cannot carry that",
      detail: "bad-credentials",
    });
  });

  it.each([
    ["PLAIN", () => finished(() => createPlainClient("u", "p"), 1)],
    ["LOGIN", () => finished(() => createLoginClient("u", "p"), 2)],
    ["CRAM-MD5", () => finished(() => createCramMd5Client("u", "p"), 1)],
    ["XOAUTH2", () => finished(() => createXoauth2Client("u", "t"), 2)],
    ["OAUTHBEARER", () => finished(() => createOauthBearerClient("u", "t"), 2)],
  ])("%s refuses a challenge after its last answer", (name, client) => {
    expect(caught(() => client().respond(ascii("more?")))).toMatchObject({
      kind: "auth",
      message: `${name}: unexpected challenge`,
      detail: "sasl-unexpected-challenge",
    });
  });

  it("CRAM-MD5 refuses an empty challenge", () => {
    expect(caught(() => createCramMd5Client("u", "p").respond(new Uint8Array(0)))).toMatchObject({
      kind: "auth",
      message: "CRAM-MD5: empty challenge",
      detail: "sasl-bad-challenge",
    });
  });

  it.each([
    [
      "PLAIN with a NUL",
      () => createPlainClient("u\0", "p"),
      "PLAIN: the user name and password must not contain NUL",
    ],
    [
      "XOAUTH2 with \\x01",
      () => createXoauth2Client("u", "t\x01"),
      "XOAUTH2: the user name and token must not contain \\x01",
    ],
    [
      "OAUTHBEARER with \\x01 in the user",
      () => createOauthBearerClient("u\x01", "t"),
      "OAUTHBEARER: the user name must not contain NUL or \\x01, nor the token control characters",
    ],
    [
      "OAUTHBEARER with a control character in the host",
      () => createOauthBearerClient("u", "t", { host: "mx\r\n" }),
      "OAUTHBEARER: the host must not contain control characters",
    ],
    [
      "OAUTHBEARER with port 0",
      () => createOauthBearerClient("u", "t", { port: 0 }),
      "OAUTHBEARER: the port must be an integer from 1 to 65535",
    ],
  ])("refuses %s, saying why", (_, make, message) => {
    expect(caught(make)).toMatchObject({
      kind: "invalid-input",
      message,
      detail: "bad-credentials",
    });
  });

  it.each<[AuthMethod, Credentials, string]>([
    ["PLAIN", { user: "u", accessToken: "t" }, "PLAIN needs a password"],
    ["XOAUTH2", { user: "u", pass: "p" }, "XOAUTH2 needs an access token"],
  ])("createSaslClient says what %s needs", (method, credentials, message) => {
    expect(caught(() => createSaslClient(method, credentials))).toMatchObject({
      kind: "invalid-input",
      message,
      detail: "bad-credentials",
    });
  });

  it("createSaslClient says SCRAM-SHA-256 needs randomBytes", () => {
    expect(caught(() => createSaslClient("SCRAM-SHA-256", { user: "u", pass: "p" })).message).toBe(
      "SCRAM-SHA-256 needs randomBytes for its nonce",
    );
  });

  it("a bearer-token client answers the error challenge with its error answer, once", () => {
    const client = createBearerTokenClient("OAUTHBEARER", "message", Uint8Array.of(1));
    expect(client.initialResponse()).toEqual(ascii("message"));
    expect(client.respond(ascii('{"status":"401"}'))).toEqual(Uint8Array.of(1));
    expect(caught(() => client.respond(ascii("again"))).detail).toBe("sasl-unexpected-challenge");
  });
});
