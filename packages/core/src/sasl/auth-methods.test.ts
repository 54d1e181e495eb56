import { describe, expect, it } from "vitest";
import { AUTH_METHODS, credentialsKindOf } from "./auth-methods.ts";

describe("the SASL mechanism registry", () => {
  it("lists the mechanisms in order of preference", () => {
    expect(AUTH_METHODS).toEqual([
      "SCRAM-SHA-256",
      "CRAM-MD5",
      "PLAIN",
      "LOGIN",
      "XOAUTH2",
      "OAUTHBEARER",
    ]);
  });

  it("says which credentials each mechanism takes", () => {
    expect(AUTH_METHODS.map((method) => [method, credentialsKindOf(method)])).toEqual([
      ["SCRAM-SHA-256", "password"],
      ["CRAM-MD5", "password"],
      ["PLAIN", "password"],
      ["LOGIN", "password"],
      ["XOAUTH2", "token"],
      ["OAUTHBEARER", "token"],
    ]);
  });
});
