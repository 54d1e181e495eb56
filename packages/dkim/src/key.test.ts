import { createPublicKey, verify } from "node:crypto";
import { testKey } from "@smtp-internal/dkim-verify";
import { describe, expect, it } from "vitest";
import { latin1 } from "../test/support.ts";
import { DkimError } from "./errors.ts";
import { toSigningKey } from "./key.ts";

const subtle = globalThis.crypto.subtle;
const data = latin1("from:a@example.com\r\ndkim-signature:v=1; b=");

function refusal(privateKey: unknown, algorithm?: unknown): DkimError {
  try {
    toSigningKey("dkim.privateKey", privateKey, algorithm, "dkim.algorithm");
  } catch (error) {
    expect(error).toBeInstanceOf(DkimError);
    return error as DkimError;
  }
  throw new Error("the key was accepted");
}

async function rsaCryptoKey(hash: string, bits = 1024, usages: KeyUsage[] = ["sign", "verify"]) {
  const pair = await subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: bits,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash,
    },
    true,
    usages,
  );
  return pair;
}

describe("toSigningKey", () => {
  it("signs what node:crypto verifies: RSA over the data, Ed25519 over its SHA-256 (RFC 8463)", async () => {
    for (const kind of ["rsa", "ed25519"] as const) {
      const key = testKey(kind);
      const signing = toSigningKey("k", key.pkcs8, undefined, "a");
      expect(signing.algorithm).toBe(key.algorithm);
      const signature = await signing.sign(data);
      const publicKey = createPublicKey(key.pkcs8);
      const message = kind === "rsa" ? data : new Uint8Array(await subtle.digest("SHA-256", data));
      expect(verify(kind === "rsa" ? "sha256" : null, message, publicKey, signature)).toBe(true);
    }
  });

  it("takes PEM as bytes (a key file's content) and PKCS#1", async () => {
    const key = testKey("rsa");
    const signing = toSigningKey("k", new TextEncoder().encode(key.pkcs1), "rsa-sha256", "a");
    const signature = await signing.sign(data);
    expect(verify("sha256", data, createPublicKey(key.pkcs8), signature)).toBe(true);
    expect(refusal(Uint8Array.of(0xff, 0xfe)).message).toContain("not valid UTF-8");
  });

  it("takes a CryptoKey for RSASSA-PKCS1-v1_5 with SHA-256, or for Ed25519", async () => {
    const rsa = await rsaCryptoKey("SHA-256");
    expect(toSigningKey("k", rsa.privateKey, undefined, "a").algorithm).toBe("rsa-sha256");
    const signature = await toSigningKey("k", rsa.privateKey, "rsa-sha256", "a").sign(data);
    expect(await subtle.verify("RSASSA-PKCS1-v1_5", rsa.publicKey, signature, data)).toBe(true);
    const ed = (await subtle.generateKey("Ed25519", false, ["sign", "verify"])) as CryptoKeyPair;
    expect(toSigningKey("k", ed.privateKey, "ed25519-sha256", "a").algorithm).toBe(
      "ed25519-sha256",
    );
  });

  it("refuses CryptoKeys DKIM cannot sign with", async () => {
    const sha1 = await rsaCryptoKey("SHA-1");
    expect(refusal(sha1.privateKey).message).toContain("SHA-1");
    expect(refusal((await rsaCryptoKey("SHA-256", 512)).privateKey).message).toContain("512-bit");
    expect(refusal((await rsaCryptoKey("SHA-256")).publicKey).message).toContain("public key");
    const verifyOnly = { type: "private", algorithm: { name: "Ed25519" }, usages: ["verify"] };
    expect(refusal(verifyOnly).message).toContain('usable to "sign"');
    const hmac = await subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    expect(refusal(hmac).message).toContain("secret key");
    const ecdsa = await subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
    expect(refusal(ecdsa.privateKey).message).toContain("CryptoKey for ECDSA");
  });

  it("refuses an algorithm the key does not have, and unknown algorithms", () => {
    const error = refusal(testKey("rsa").pkcs8, "ed25519-sha256");
    expect(error.field).toBe("dkim.algorithm");
    expect(error.message).toContain('is "ed25519-sha256" but the key is for rsa-sha256');
    expect(refusal(testKey("ed25519").pkcs8, "rsa-sha256").field).toBe("dkim.algorithm");
    expect(refusal(testKey("rsa").pkcs8, "rsa-sha1").message).toContain('not "rsa-sha1"');
  });

  it("refuses anything else as a key", () => {
    for (const value of [undefined, null, 42, {}, { type: "private" }, ["pem"]]) {
      expect(refusal(value).message).toContain("must be a PEM string, PEM bytes or a CryptoKey");
    }
  });

  it("a key WebCrypto refuses to import is a DkimError at the first signature, every time", async () => {
    // Well-formed enough for this package, but RFC 8410 wants no parameters for Ed25519.
    const der = Uint8Array.from([
      0x30,
      0x30,
      0x02,
      0x01,
      0x00,
      0x30,
      0x07,
      0x06,
      0x03,
      0x2b,
      0x65,
      0x70,
      0x05,
      0x00,
      0x04,
      0x22,
      0x04,
      0x20,
      ...new Uint8Array(32).fill(7),
    ]);
    const pem = `-----BEGIN PRIVATE KEY-----\n${Buffer.from(der).toString("base64")}\n-----END PRIVATE KEY-----`;
    const signing = toSigningKey("dkim.privateKey", pem, undefined, "a");
    expect(signing.algorithm).toBe("ed25519-sha256");
    for (let i = 0; i < 2; i++) {
      await expect(signing.sign(data)).rejects.toThrow(
        /^dkim\.privateKey: WebCrypto refused the key/,
      );
    }
  });

  it("a CryptoKey that WebCrypto cannot sign with is a DkimError", async () => {
    const fake = { type: "private", algorithm: { name: "Ed25519" }, usages: ["sign"] };
    const signing = toSigningKey("dkim.privateKey", fake, undefined, "a");
    await expect(signing.sign(data)).rejects.toThrow(
      /^dkim\.privateKey: WebCrypto could not sign with the key/,
    );
  });
});
