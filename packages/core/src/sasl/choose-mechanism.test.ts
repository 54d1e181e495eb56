import { describe, expect, it } from "vitest";
import type { Credentials } from "../session-types.ts";
import { chooseMechanism } from "./choose-mechanism.ts";

const password: Credentials = { user: "user@example.test", pass: "password" };
const token: Credentials = { user: "user@example.test", accessToken: "ya29.token" };
const randomBytes = (length: number) => new Uint8Array(length);
const ALL = ["LOGIN", "PLAIN", "CRAM-MD5", "SCRAM-SHA-256", "OAUTHBEARER", "XOAUTH2"];

describe("chooseMechanism", () => {
  it("prefers SCRAM-SHA-256, then CRAM-MD5, PLAIN, LOGIN for a password", () => {
    expect(chooseMechanism(ALL, password, { randomBytes })).toBe("SCRAM-SHA-256");
    expect(chooseMechanism(["LOGIN", "PLAIN", "CRAM-MD5"], password)).toBe("CRAM-MD5");
    expect(chooseMechanism(["LOGIN", "PLAIN"], password)).toBe("PLAIN");
    expect(chooseMechanism(["LOGIN"], password)).toBe("LOGIN");
  });

  it("only picks SCRAM-SHA-256 when randomness is available for its nonce", () => {
    expect(chooseMechanism(ALL, password)).toBe("CRAM-MD5");
    expect(chooseMechanism(ALL, password, { randomBytes: undefined })).toBe("CRAM-MD5");
    expect(chooseMechanism(["SCRAM-SHA-256"], password)).toBeUndefined();
  });

  it("over TLS, PLAIN and LOGIN come before CRAM-MD5; SCRAM-SHA-256 stays first", () => {
    const secure = { randomBytes, secure: true };
    expect(chooseMechanism(ALL, password, secure)).toBe("SCRAM-SHA-256");
    expect(chooseMechanism(["LOGIN", "PLAIN", "CRAM-MD5"], password, secure)).toBe("PLAIN");
    expect(chooseMechanism(["CRAM-MD5", "LOGIN"], password, secure)).toBe("LOGIN");
    // CRAM-MD5 is still used over TLS when it is all both sides share.
    expect(chooseMechanism(["CRAM-MD5", "XOAUTH2"], password, secure)).toBe("CRAM-MD5");
    expect(chooseMechanism(ALL, password, { secure: true })).toBe("PLAIN");
    // Without TLS (an opted-in cleartext or loopback connection) CRAM-MD5 keeps the password off the wire.
    expect(chooseMechanism(["LOGIN", "PLAIN", "CRAM-MD5"], password, { secure: false })).toBe(
      "CRAM-MD5",
    );
    // An explicit method is never replaced, TLS or not.
    expect(chooseMechanism(ALL, { ...password, method: "CRAM-MD5" }, secure)).toBe("CRAM-MD5");
    // Token mechanisms are unaffected.
    expect(chooseMechanism(ALL, token, secure)).toBe("XOAUTH2");
  });

  it("picks XOAUTH2, else OAUTHBEARER, for an access token, never a password mechanism", () => {
    expect(chooseMechanism(ALL, token, { randomBytes })).toBe("XOAUTH2");
    expect(chooseMechanism(["PLAIN", "OAUTHBEARER"], token)).toBe("OAUTHBEARER");
    expect(chooseMechanism(ALL, { ...token, method: "OAUTHBEARER" })).toBe("OAUTHBEARER");
    expect(chooseMechanism(["PLAIN", "LOGIN"], token)).toBeUndefined();
  });

  it("never picks a token mechanism for a password", () => {
    expect(chooseMechanism(["XOAUTH2", "OAUTHBEARER"], password)).toBeUndefined();
    expect(chooseMechanism(ALL, { ...password, method: "OAUTHBEARER" })).toBeUndefined();
  });

  it("honours an explicit method only when offered and fitting", () => {
    expect(chooseMechanism(ALL, { ...password, method: "LOGIN" })).toBe("LOGIN");
    expect(chooseMechanism(["PLAIN"], { ...password, method: "LOGIN" })).toBeUndefined();
    expect(chooseMechanism(ALL, { ...password, method: "XOAUTH2" })).toBeUndefined();
    expect(chooseMechanism(ALL, { ...token, method: "PLAIN" })).toBeUndefined();
    expect(chooseMechanism(ALL, { ...token, method: "XOAUTH2" })).toBe("XOAUTH2");
    // An explicit SCRAM choice stands even without randomBytes: createSaslClient then
    // reports the missing random source instead of silently downgrading.
    expect(chooseMechanism(ALL, { ...password, method: "SCRAM-SHA-256" })).toBe("SCRAM-SHA-256");
  });

  it("compares names case-insensitively and ignores unknown ones", () => {
    expect(chooseMechanism(["gssapi", "ntlm", "plain"], password)).toBe("PLAIN");
    expect(chooseMechanism(["GSSAPI", "NTLM", "SCRAM-SHA-1"], password)).toBeUndefined();
    expect(chooseMechanism([], password)).toBeUndefined();
  });
});
