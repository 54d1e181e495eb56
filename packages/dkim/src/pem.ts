import { concatBytes, decodeBase64 } from "@smtp/core/base";
import {
  contentEquals,
  integerBits,
  readChildren,
  readTlv,
  TAG,
  type Tlv,
  writeTlv,
} from "./der.ts";
import { DkimError } from "./errors.ts";
import type { DkimAlgorithm } from "./options.ts";

/** A private key read from PEM: its algorithm, its PKCS#8 bytes and (RSA) its size. @since 0.1.0 */
export interface PemKey {
  algorithm: DkimAlgorithm;
  pkcs8: Uint8Array<ArrayBuffer>;
  /** The RSA modulus length in bits; 256 for Ed25519. */
  bits: number;
}

/** The smallest RSA key signed with (RFC 8301 §3.2). @since 0.1.0 */
export const MIN_RSA_BITS = 1024;
/** Longer text is not a key: refused before it is scanned. @since 0.1.0 */
export const MAX_PEM_LENGTH = 64 * 1024;

// Object identifiers as their DER content octets.
const RSA_ENCRYPTION = Uint8Array.from([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]);
const RSASSA_PSS = Uint8Array.from([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a]);
const ED25519 = Uint8Array.from([0x2b, 0x65, 0x70]);
const OTHER_KEYS: readonly [Uint8Array, string][] = [
  [RSASSA_PSS, "an RSASSA-PSS key (DKIM's rsa-sha256 needs an rsaEncryption key)"],
  [
    Uint8Array.from([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]),
    "an EC key (DKIM signs with RSA or Ed25519)",
  ],
  [Uint8Array.from([0x2b, 0x65, 0x6e]), "an X25519 key (DKIM signs with RSA or Ed25519)"],
  [Uint8Array.from([0x2b, 0x65, 0x71]), "an Ed448 key (DKIM signs with RSA or Ed25519)"],
];

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/;

/**
 * Reads a PEM private key: PKCS#8 (`PRIVATE KEY`) holding an RSA or Ed25519 key, or
 * PKCS#1 (`RSA PRIVATE KEY`), which is wrapped into PKCS#8 because WebCrypto imports only
 * that. Checks the structure and the RSA size, so a bad key is refused before any import.
 *
 * @throws DkimError naming `field` for anything else.
 * @since 0.1.0
 */
export function readPemKey(field: string, pem: string): PemKey {
  if (pem.length > MAX_PEM_LENGTH) {
    throw new DkimError(field, `is ${pem.length} characters long, more than any PEM key`);
  }
  const block = PEM_BLOCK.exec(pem);
  if (block === null) {
    throw new DkimError(
      field,
      "is not a PEM private key (no -----BEGIN …----- / -----END …----- block)",
    );
  }
  const label = block[1]!;
  const body = block[2]!;
  if (label === "ENCRYPTED PRIVATE KEY" || /Proc-Type:\s*4,ENCRYPTED/.test(body)) {
    throw new DkimError(
      field,
      "is an encrypted PEM key: give it decrypted (openssl pkcs8 -topk8 -nocrypt), or as a CryptoKey",
    );
  }
  if (label !== "PRIVATE KEY" && label !== "RSA PRIVATE KEY") {
    throw new DkimError(
      field,
      `is a PEM "${label}", not a private key in PKCS#8 ("PRIVATE KEY") or PKCS#1 ("RSA PRIVATE KEY") form`,
    );
  }
  let der: Uint8Array;
  try {
    der = decodeBase64(body.replace(/[\s]+/g, ""));
  } catch {
    throw new DkimError(field, `the PEM "${label}" block is not valid base64`);
  }
  return label === "RSA PRIVATE KEY" ? fromPkcs1(field, der) : fromPkcs8(field, der);
}

function malformed(field: string, what: string): DkimError {
  return new DkimError(field, `is not a well-formed ${what}`);
}

/** The whole input as one SEQUENCE and its children. */
function sequence(field: string, der: Uint8Array, what: string): [Tlv, Tlv[]] {
  const outer = readTlv(der, 0);
  const children =
    outer !== undefined && outer.tag === TAG.sequence && outer.end === der.length
      ? readChildren(der, outer)
      : undefined;
  if (outer === undefined || children === undefined) throw malformed(field, what);
  return [outer, children];
}

/** The modulus size of an RSAPrivateKey (PKCS#1) whose DER fills `tlv`. */
function rsaBits(field: string, der: Uint8Array, tlv: Tlv): number {
  const children = tlv.tag === TAG.sequence ? readChildren(der, tlv) : undefined;
  if (
    children === undefined ||
    children.length < 9 ||
    children.some((c) => c.tag !== TAG.integer)
  ) {
    throw malformed(field, "RSA private key");
  }
  const bits = integerBits(der, children[1]!);
  if (bits < MIN_RSA_BITS) {
    throw new DkimError(
      field,
      `is a ${bits}-bit RSA key; DKIM needs at least ${MIN_RSA_BITS} bits (2048 recommended)`,
    );
  }
  return bits;
}

function fromPkcs1(field: string, der: Uint8Array): PemKey {
  const [outer] = sequence(field, der, "PKCS#1 RSA private key");
  const bits = rsaBits(field, der, outer);
  // PrivateKeyInfo { version 0, AlgorithmIdentifier { rsaEncryption, NULL }, OCTET STRING }
  const pkcs8 = writeTlv(
    TAG.sequence,
    concatBytes([
      writeTlv(TAG.integer, Uint8Array.of(0)),
      writeTlv(
        TAG.sequence,
        concatBytes([writeTlv(TAG.oid, RSA_ENCRYPTION), writeTlv(TAG.null, new Uint8Array(0))]),
      ),
      writeTlv(TAG.octetString, der),
    ]),
  );
  return { algorithm: "rsa-sha256", pkcs8, bits };
}

function fromPkcs8(field: string, der: Uint8Array): PemKey {
  const [, children] = sequence(field, der, "PKCS#8 private key");
  const [version, algorithmId, privateKey] = children;
  const algorithmParts =
    algorithmId?.tag === TAG.sequence ? readChildren(der, algorithmId) : undefined;
  const oid = algorithmParts?.[0];
  if (
    version?.tag !== TAG.integer ||
    privateKey?.tag !== TAG.octetString ||
    oid === undefined ||
    oid.tag !== TAG.oid
  ) {
    throw malformed(field, "PKCS#8 private key");
  }
  const pkcs8 = Uint8Array.from(der);
  if (contentEquals(der, oid, RSA_ENCRYPTION)) {
    const inner = readTlv(der, privateKey.start, privateKey.end);
    if (inner === undefined || inner.end !== privateKey.end)
      throw malformed(field, "RSA private key");
    return { algorithm: "rsa-sha256", pkcs8, bits: rsaBits(field, der, inner) };
  }
  if (contentEquals(der, oid, ED25519)) {
    // CurvePrivateKey ::= OCTET STRING (the 32-byte seed), inside the privateKey OCTET STRING.
    const seed = readTlv(der, privateKey.start, privateKey.end);
    if (
      seed?.tag !== TAG.octetString ||
      seed.end !== privateKey.end ||
      seed.end - seed.start !== 32
    ) {
      throw malformed(field, "Ed25519 private key");
    }
    return { algorithm: "ed25519-sha256", pkcs8, bits: 256 };
  }
  const other = OTHER_KEYS.find(([known]) => contentEquals(der, oid, known));
  throw new DkimError(
    field,
    `is ${other?.[1] ?? "a key of an unknown algorithm"}, not an RSA or Ed25519 key`,
  );
}
