import { generateKeyPairSync } from "node:crypto";
import { testKey } from "@smtp-internal/dkim-verify";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DkimError } from "./errors.ts";
import { MAX_PEM_LENGTH, MIN_RSA_BITS, readPemKey } from "./pem.ts";

const pem = (label: string, der: Uint8Array) =>
  `-----BEGIN ${label}-----\n${Buffer.from(der).toString("base64").replace(/.{64}/g, "$&\n")}\n-----END ${label}-----\n`;

function refused(text: string): string {
  try {
    readPemKey("dkim.privateKey", text);
  } catch (error) {
    expect(error).toBeInstanceOf(DkimError);
    expect((error as DkimError).field).toBe("dkim.privateKey");
    return (error as DkimError).message;
  }
  throw new Error("the key was accepted");
}

function rsaKey(bits: number) {
  return generateKeyPairSync("rsa", { modulusLength: bits }).privateKey;
}

describe("readPemKey", () => {
  it("reads PKCS#8 RSA and Ed25519 keys, with their algorithm and size", () => {
    const rsa = readPemKey("k", testKey("rsa").pkcs8);
    expect(rsa.algorithm).toBe("rsa-sha256");
    expect(rsa.bits).toBe(2048);
    const ed = readPemKey("k", testKey("ed25519").pkcs8);
    expect(ed).toMatchObject({ algorithm: "ed25519-sha256", bits: 256 });
  });

  it("wraps PKCS#1 into the same PKCS#8 that node:crypto writes", () => {
    const key = rsaKey(1024);
    const fromPkcs1 = readPemKey("k", key.export({ type: "pkcs1", format: "pem" }) as string);
    const pkcs8 = key.export({ type: "pkcs8", format: "der" });
    expect(fromPkcs1.algorithm).toBe("rsa-sha256");
    expect(Buffer.from(fromPkcs1.pkcs8).equals(pkcs8)).toBe(true);
  });

  it("finds the key among other text, with CRLF or no line breaks in the body", () => {
    const key = testKey("ed25519").pkcs8;
    expect(readPemKey("k", `comment\r\n${key.replace(/\n/g, "\r\n")}trailer`).algorithm).toBe(
      "ed25519-sha256",
    );
    const oneLine = key.replace(/\n(?!-----END)/g, "").replace("-----END", "\n-----END");
    expect(readPemKey("k", oneLine).bits).toBe(256);
  });

  it(`takes RSA keys of ${MIN_RSA_BITS} bits, refuses shorter ones (at, and just under)`, () => {
    const at = rsaKey(MIN_RSA_BITS);
    expect(readPemKey("k", at.export({ type: "pkcs8", format: "pem" }) as string).bits).toBe(1024);
    for (const bits of [MIN_RSA_BITS - 8, 512]) {
      const short = rsaKey(bits);
      for (const type of ["pkcs8", "pkcs1"] as const) {
        expect(refused(short.export({ type, format: "pem" }) as string)).toContain(
          `${bits}-bit RSA key`,
        );
      }
    }
  });

  it("refuses what is not an RSA or Ed25519 private key, saying what it is", () => {
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    expect(refused(ec.export({ type: "pkcs8", format: "pem" }) as string)).toContain("an EC key");
    expect(refused(ec.export({ type: "sec1", format: "pem" }) as string)).toContain(
      'PEM "EC PRIVATE KEY"',
    );
    const x25519 = generateKeyPairSync("x25519").privateKey;
    expect(refused(x25519.export({ type: "pkcs8", format: "pem" }) as string)).toContain("X25519");
    const ed448 = generateKeyPairSync("ed448").privateKey;
    expect(refused(ed448.export({ type: "pkcs8", format: "pem" }) as string)).toContain("Ed448");
    const pss = generateKeyPairSync("rsa-pss", { modulusLength: 1024 }).privateKey;
    expect(refused(pss.export({ type: "pkcs8", format: "pem" }) as string)).toContain("RSASSA-PSS");
    const { publicKey } = generateKeyPairSync("ed25519");
    expect(refused(publicKey.export({ type: "spki", format: "pem" }) as string)).toContain(
      'PEM "PUBLIC KEY"',
    );
  });

  it("refuses encrypted keys", () => {
    const key = rsaKey(1024);
    // PKCS#8 "ENCRYPTED PRIVATE KEY", and PKCS#1 with OpenSSL's Proc-Type header.
    for (const type of ["pkcs8", "pkcs1"] as const) {
      const pem = key.export({ type, format: "pem", cipher: "aes-256-cbc", passphrase: "x" });
      expect(refused(pem as string)).toContain("encrypted");
    }
  });

  it("refuses malformed text and DER", () => {
    expect(refused("")).toContain("not a PEM private key");
    expect(refused("-----BEGIN PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----")).toContain(
      "not a PEM",
    );
    expect(refused("-----BEGIN PRIVATE KEY-----\n@@@@\n-----END PRIVATE KEY-----")).toContain(
      "not valid base64",
    );
    const der = testKey("rsa").pkcs8;
    const body = Buffer.from(der.split("\n").slice(1, -2).join(""), "base64");
    expect(refused(pem("PRIVATE KEY", body.subarray(0, body.length - 1)))).toContain("well-formed");
    expect(refused(pem("PRIVATE KEY", Buffer.concat([body, Buffer.of(0)])))).toContain(
      "well-formed",
    );
    expect(refused(pem("RSA PRIVATE KEY", Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00)))).toContain(
      "well-formed",
    );
    expect(refused(pem("PRIVATE KEY", Uint8Array.of(0x30, 0x80, 0x00, 0x00)))).toContain(
      "well-formed",
    );
  });

  it(`refuses text longer than ${MAX_PEM_LENGTH} characters before scanning it`, () => {
    const key = testKey("ed25519").pkcs8;
    expect(readPemKey("k", key.padEnd(MAX_PEM_LENGTH, " ")).bits).toBe(256);
    expect(refused(key.padEnd(MAX_PEM_LENGTH + 1, " "))).toContain("characters long");
  });

  it("any bytes inside the armor give a key or a DkimError, nothing else", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.constantFrom("PRIVATE KEY", "RSA PRIVATE KEY"),
        (der, label) => {
          try {
            readPemKey("k", pem(label, der));
          } catch (error) {
            expect(error).toBeInstanceOf(DkimError);
          }
        },
      ),
      { numRuns: 3000 },
    );
    // And valid keys with octets changed, dropped or added anywhere.
    const valid = [testKey("rsa").pkcs1!, testKey("ed25519").pkcs8].map((text) => ({
      label: /BEGIN ([A-Z ]+)-----/.exec(text)![1]!,
      der: Buffer.from(text.split("\n").slice(1, -2).join(""), "base64"),
    }));
    fc.assert(
      fc.property(
        fc.constantFrom(...valid),
        fc.nat(),
        fc.integer({ min: -1, max: 255 }),
        (key, at, value) => {
          const der = Uint8Array.from(key.der);
          const i = at % der.length;
          if (value >= 0) der[i] = value;
          const changed =
            value < 0 ? Buffer.concat([der.subarray(0, i), der.subarray(i + 1)]) : der;
          try {
            readPemKey("k", pem(key.label, changed));
          } catch (error) {
            expect(error).toBeInstanceOf(DkimError);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
