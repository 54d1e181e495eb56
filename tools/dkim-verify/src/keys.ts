import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from "node:crypto";

/** A key pair for tests: the private key as PEM (PKCS#8, and PKCS#1 for RSA) and its DNS record. */
export interface TestKey {
  algorithm: "rsa-sha256" | "ed25519-sha256";
  /** `-----BEGIN PRIVATE KEY-----` */
  pkcs8: string;
  /** `-----BEGIN RSA PRIVATE KEY-----` (RSA only). */
  pkcs1: string | undefined;
  /** The TXT record publishing the public key: `v=DKIM1; k=rsa|ed25519; p=…`. */
  record: string;
}

/**
 * The DKIM key record (RFC 6376 §3.6.1; RFC 8463 §4 for Ed25519, whose `p=` is the bare
 * 32-byte public key) of a private key.
 */
export function keyRecord(privateKey: string | KeyObject): string {
  const publicKey = createPublicKey(
    typeof privateKey === "string" ? createPrivateKey(privateKey) : privateKey,
  );
  if (publicKey.asymmetricKeyType === "ed25519") {
    const { x } = publicKey.export({ format: "jwk" });
    return `v=DKIM1; k=ed25519; p=${Buffer.from(x as string, "base64url").toString("base64")}`;
  }
  const spki = publicKey.export({ type: "spki", format: "der" });
  return `v=DKIM1; k=rsa; p=${spki.toString("base64")}`;
}

const made = new Map<string, TestKey>();

/** A fresh RSA (`bits`, default 2048) or Ed25519 key, made once per process and kind. */
export function testKey(kind: "rsa" | "ed25519", bits = 2048): TestKey {
  const id = `${kind}-${bits}`;
  const known = made.get(id);
  if (known) return known;
  const { privateKey } =
    kind === "rsa"
      ? generateKeyPairSync("rsa", { modulusLength: bits })
      : generateKeyPairSync("ed25519");
  const key: TestKey = {
    algorithm: kind === "rsa" ? "rsa-sha256" : "ed25519-sha256",
    pkcs8: privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    pkcs1:
      kind === "rsa" ? (privateKey.export({ type: "pkcs1", format: "pem" }) as string) : undefined,
    record: keyRecord(privateKey),
  };
  made.set(id, key);
  return key;
}
