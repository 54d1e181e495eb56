import { testKey } from "@smtp-internal/dkim-verify";
import { describe, expect, it } from "vitest";
import { DkimError } from "./errors.ts";
import type { DkimOptions } from "./options.ts";
import { DEFAULT_SIGNED_FIELDS, resolveSignature } from "./signature-options.ts";

const base: DkimOptions = {
  domainName: "example.com",
  keySelector: "s2026",
  privateKey: testKey("ed25519").pkcs8,
};

function refusal(options: unknown): DkimError {
  try {
    resolveSignature("dkim", options as DkimOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(DkimError);
    return error as DkimError;
  }
  throw new Error("the options were accepted");
}

describe("resolveSignature", () => {
  it("defaults: relaxed/relaxed, the usual fields, From and Subject over-signed, no expiry", () => {
    const resolved = resolveSignature("dkim", base);
    expect(resolved).toMatchObject({
      domain: "example.com",
      selector: "s2026",
      canonicalization: "relaxed/relaxed",
      headerRelaxed: true,
      bodyRelaxed: true,
      overSigned: ["from", "subject"],
      expiresIn: undefined,
    });
    expect([...resolved.signed]).toEqual(DEFAULT_SIGNED_FIELDS);
    for (const name of [
      "to",
      "cc",
      "date",
      "message-id",
      "reply-to",
      "in-reply-to",
      "references",
      "mime-version",
      "content-type",
      "list-unsubscribe",
      "list-unsubscribe-post",
    ]) {
      expect(resolved.signed.has(name)).toBe(true);
    }
  });

  it("takes a WebCrypto CryptoKey as privateKey (the type fits)", async () => {
    const pair = (await crypto.subtle.generateKey("Ed25519", false, ["sign"])) as CryptoKeyPair;
    expect(resolveSignature("dkim", { ...base, privateKey: pair.privateKey }).key.algorithm).toBe(
      "ed25519-sha256",
    );
  });

  it.each([
    ["simple/simple", false, false],
    ["relaxed/simple", true, false],
    ["simple/relaxed", false, true],
  ] as const)("canonicalization %s", (canonicalization, header, body) => {
    expect(resolveSignature("dkim", { ...base, canonicalization })).toMatchObject({
      headerRelaxed: header,
      bodyRelaxed: body,
    });
  });

  it("refuses other canonicalizations, naming the four", () => {
    for (const value of ["relaxed", "simple", "nowsp/relaxed", ""]) {
      const error = refusal({ ...base, canonicalization: value });
      expect(error.field).toBe("dkim.canonicalization");
      expect(error.message).toContain(
        '"relaxed/relaxed", "relaxed/simple", "simple/relaxed", "simple/simple"',
      );
    }
  });

  it("headerFieldNames replaces the set (a list, or colon-separated as nodemailer takes it); From is always in", () => {
    expect([
      ...resolveSignature("dkim", { ...base, headerFieldNames: "To:Subject: X-Custom " }).signed,
    ]).toEqual(["to", "subject", "x-custom", "from"]);
    const list = resolveSignature("dkim", { ...base, headerFieldNames: ["Date"] });
    expect([...list.signed]).toEqual(["date", "from"]);
    expect(list.overSigned).toEqual(["from"]);
  });

  it("skipFields removes fields (not From)", () => {
    const resolved = resolveSignature("dkim", { ...base, skipFields: "Subject:message-id" });
    expect(resolved.signed.has("subject")).toBe(false);
    expect(resolved.signed.has("message-id")).toBe(false);
    expect(resolved.overSigned).toEqual(["from"]);
    expect(refusal({ ...base, skipFields: ["FROM"] }).message).toContain("cannot skip From");
  });

  it("refuses header names that are no field names", () => {
    expect(refusal({ ...base, headerFieldNames: ["To", "Bad Name"] }).field).toBe(
      "dkim.headerFieldNames[1]",
    );
    expect(refusal({ ...base, headerFieldNames: "To::Cc" }).field).toBe("dkim.headerFieldNames[1]");
    expect(refusal({ ...base, skipFields: [7] }).field).toBe("dkim.skipFields[0]");
    expect(refusal({ ...base, headerFieldNames: { to: true } }).message).toContain(
      "colon-separated",
    );
    expect(refusal({ ...base, headerFieldNames: ["x".repeat(257)] }).field).toBe(
      "dkim.headerFieldNames[0]",
    );
    expect([
      ...resolveSignature("dkim", { ...base, headerFieldNames: ["x".repeat(256)] }).signed,
    ]).toHaveLength(2);
  });

  it.each([
    ["keySelector", "bad selector"],
    ["keySelector", "sel_ector"],
    ["keySelector", "-sel"],
    ["keySelector", "sel-"],
    ["keySelector", "a..b"],
    ["keySelector", ""],
    ["keySelector", "sel;x=1"],
    ["domainName", "exa mple.com"],
    ["domainName", "example.com."],
    ["domainName", "bücher.example"],
    ["domainName", `${"a".repeat(64)}.com`],
    ["domainName", Array.from({ length: 64 }, () => "abc").join(".")],
    ["domainName", 42],
    ["domainName", undefined],
  ])("refuses %s %j", (field, value) => {
    expect(refusal({ ...base, [field]: value }).field).toBe(`dkim.${field}`);
  });

  it("accepts labels of 63 characters and names of 253, and says how to write an IDN", () => {
    const long = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}`;
    expect(long).toHaveLength(253);
    expect(
      resolveSignature("dkim", { ...base, domainName: long, keySelector: "a.b-c.9" }).domain,
    ).toBe(long);
    expect(refusal({ ...base, domainName: "bücher.example" }).message).toContain("xn--");
  });

  it("expiresIn: a positive whole number of seconds", () => {
    expect(resolveSignature("dkim", { ...base, expiresIn: 1 }).expiresIn).toBe(1);
    for (const value of [0, -1, 1.5, Number.NaN, Infinity, "60", 2 ** 53]) {
      expect(refusal({ ...base, expiresIn: value }).field).toBe("dkim.expiresIn");
    }
  });

  it("refuses unknown options (nodemailer's cacheDir among them), and non-objects", () => {
    const error = refusal({ ...base, cacheDir: "/tmp" });
    expect(error.field).toBe("dkim.cacheDir");
    expect(error.message).toContain("known: domainName, keySelector, privateKey");
    expect(refusal(null).field).toBe("dkim");
    expect(refusal([base]).field).toBe("dkim");
    expect(refusal("example.com").field).toBe("dkim");
  });
});
