import { encodeBase64 } from "@smtp/core/internal";
import { createDkimSigner, prependFields } from "@smtp/dkim";
import { describeVerdicts, verifyDkim } from "@smtp-internal/dkim-verify";
import { describe, expect, it } from "vitest";
import { BodyCanonicalizer } from "../src/body-canon.ts";
import { parseHeaderFields, relaxedField, signedFieldsData } from "../src/header-fields.ts";
import { toSigningKey } from "../src/key.ts";
import {
  RFC_BODY_HASH,
  RFC_MESSAGE,
  RFC8463_KEYS,
  RFC8463_RSA_PKCS1,
  RFC8463_SIGNATURES,
  RFC8463_SIGNED_NAMES,
  rfc8463Ed25519Pem,
  rfc8463SignedMessage,
} from "./rfc-vectors.ts";
import { bytes, collect, expectAllPass, latin1, sha256Of } from "./support.ts";

const blank = RFC_MESSAGE.indexOf("\r\n\r\n");
const headerSection = RFC_MESSAGE.slice(0, blank + 2);
const body = RFC_MESSAGE.slice(blank + 4);

describe("the RFC 6376 / RFC 8463 example", () => {
  it.each([
    ["relaxed", true],
    ["simple", false],
  ] as const)("has the published %s body hash", async (name, relaxed) => {
    const hash = sha256Of();
    const canonicalizer = new BodyCanonicalizer(relaxed, hash);
    canonicalizer.write(bytes(body));
    canonicalizer.end();
    expect(encodeBase64(hash.digest())).toBe(RFC_BODY_HASH[name]);
  });

  it.each(["ed25519", "rsa"] as const)(
    "reproduces the published %s signature of RFC 8463 A.3 bit for bit",
    async (algorithm) => {
      const { unsigned, b } = RFC8463_SIGNATURES[algorithm];
      const fields = parseHeaderFields(headerSection);
      const data =
        signedFieldsData(fields, RFC8463_SIGNED_NAMES, true) + relaxedField(unsigned).slice(0, -2);
      const key = toSigningKey(
        "key",
        algorithm === "rsa" ? RFC8463_RSA_PKCS1 : rfc8463Ed25519Pem(),
        undefined,
        "algorithm",
      );
      expect(encodeBase64(await key.sign(latin1(data)))).toBe(b);
    },
  );

  it("the published signed message verifies at both verifiers (their setup is sound)", async () => {
    const verdicts = await verifyDkim(bytes(rfc8463SignedMessage()), RFC8463_KEYS);
    expectAllPass(verdicts, 2);
  });

  it.each(["relaxed/relaxed", "simple/simple", "relaxed/simple", "simple/relaxed"] as const)(
    "signed here with the RFC keys (%s), it verifies at both verifiers and carries the published body hash",
    async (canonicalization) => {
      const signer = createDkimSigner([
        {
          domainName: "football.example.com",
          keySelector: "brisbane",
          privateKey: rfc8463Ed25519Pem(),
          canonicalization,
        },
        {
          domainName: "football.example.com",
          keySelector: "test",
          privateKey: RFC8463_RSA_PKCS1,
          canonicalization,
        },
      ]);
      const fields = await signer.sign([bytes(RFC_MESSAGE)], {
        now: new Date("2018-06-10T13:38:29Z"),
      });
      const bodyHash = RFC_BODY_HASH[canonicalization.endsWith("relaxed") ? "relaxed" : "simple"];
      expect(fields.match(/bh=([^;]+);/g)).toEqual([`bh=${bodyHash};`, `bh=${bodyHash};`]);
      expect(fields).toContain("t=1528637909;");
      const signed = await collect(prependFields(fields, [bytes(RFC_MESSAGE)]));
      const verdicts = await verifyDkim(signed, RFC8463_KEYS);
      expect(describeVerdicts(verdicts).every((line) => line.endsWith(": pass"))).toBe(true);
      expectAllPass(verdicts, 2);
    },
  );
});
