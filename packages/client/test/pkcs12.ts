import {
  createHash,
  createHmac,
  createPrivateKey,
  randomBytes,
  X509Certificate,
} from "node:crypto";

/** One DER element: tag, definite length, content. */
function der(tag: number, ...content: Uint8Array[]): Uint8Array {
  const body = Buffer.concat(content);
  const n = body.length;
  const length =
    n < 0x80
      ? [n]
      : n < 0x100
        ? [0x81, n]
        : n < 0x10000
          ? [0x82, n >> 8, n & 0xff]
          : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...length]), body]);
}

const sequence = (...c: Uint8Array[]) => der(0x30, ...c);
const explicit0 = (...c: Uint8Array[]) => der(0xa0, ...c);
const octets = (c: Uint8Array) => der(0x04, c);
const oid = (hex: string) => der(0x06, Buffer.from(hex, "hex"));

// 1.2.840.113549.1.7.1 (data), 1.2.840.113549.1.12.10.1.{2,3} (shrouded key bag, cert bag),
// 1.2.840.113549.1.9.22.1 (x509Certificate).
const DATA = oid("2a864886f70d010701");
const SHROUDED_KEY_BAG = oid("2a864886f70d010c0a0102");
const CERT_BAG = oid("2a864886f70d010c0a0103");
const X509_CERTIFICATE = oid("2a864886f70d01091601");

// 2.16.840.1.101.3.4.2.1 (SHA-256)
const SHA256 = oid("608648016503040201");

const data = (content: Uint8Array) => sequence(DATA, explicit0(octets(content)));

/** RFC 7292 appendix B key derivation with SHA-256 (u = 32, v = 64), for the MAC key (ID 3). */
function pkcs12MacKey(passphrase: string, salt: Uint8Array, iterations: number): Buffer {
  const v = 64;
  const fill = (b: Uint8Array) => {
    const out = Buffer.alloc(b.length === 0 ? 0 : v * Math.ceil(b.length / v));
    for (let i = 0; i < out.length; i++) out[i] = b[i % b.length] ?? 0;
    return out;
  };
  // The password as big-endian UTF-16 with a terminating zero character.
  const password = Buffer.from(`${passphrase}\0`, "utf16le").swap16();
  const input = Buffer.concat([fill(salt), fill(password)]);
  let a: Buffer = Buffer.concat([Buffer.alloc(v, 3), input]);
  for (let i = 0; i < iterations; i++) a = createHash("sha256").update(a).digest();
  // One 32-byte block is the whole key, so the I-update step of the algorithm is not needed.
  return a;
}

/**
 * A PKCS#12 file (RFC 7292) holding `certPem` and `keyPem`, the key encrypted with
 * `passphrase` (PBES2: PBKDF2 + AES-256-CBC, as node:crypto exports it), and an HMAC-SHA-256 MAC keyed from the same passphrase. node:crypto reads PKCS#12 but
 * cannot write it, hence this small DER writer (so the test needs no openssl binary).
 */
export function buildPkcs12(certPem: string, keyPem: string, passphrase: string): Uint8Array {
  const cert = new X509Certificate(certPem).raw;
  const encryptedKey = createPrivateKey(keyPem).export({
    format: "der",
    type: "pkcs8",
    cipher: "aes-256-cbc",
    passphrase,
  });
  const certBag = sequence(
    CERT_BAG,
    explicit0(sequence(X509_CERTIFICATE, explicit0(octets(cert)))),
  );
  const keyBag = sequence(SHROUDED_KEY_BAG, explicit0(encryptedKey));
  const authenticatedSafe = sequence(data(sequence(certBag)), data(sequence(keyBag)));
  const salt = randomBytes(8);
  const iterations = 2048;
  const mac = createHmac("sha256", pkcs12MacKey(passphrase, salt, iterations))
    .update(authenticatedSafe)
    .digest();
  const macData = sequence(
    sequence(sequence(SHA256, der(0x05)), octets(mac)),
    octets(salt),
    der(0x02, Uint8Array.of(iterations >> 8, iterations & 0xff)),
  );
  return sequence(der(0x02, Uint8Array.of(3)), data(authenticatedSafe), macData);
}
