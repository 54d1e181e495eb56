import { sha256 } from "@smtp/core/base";
import { DkimError } from "./errors.ts";
import type { CryptoKeyLike, DkimAlgorithm } from "./options.ts";
import { MIN_RSA_BITS, readPemKey } from "./pem.ts";
import { subtle, WEB_CRYPTO_ALGORITHM } from "./web-crypto.ts";

/**
 * A checked private key that signs DKIM header hashes. The WebCrypto import happens at the
 * first signature and is kept.
 *
 * @since 0.1.0
 */
export interface SigningKey {
  readonly algorithm: DkimAlgorithm;
  /**
   * Signs the canonicalized header data: RSASSA-PKCS1-v1_5 over its SHA-256, or Ed25519
   * over its SHA-256 digest (RFC 8463 §3).
   *
   * @throws DkimError when WebCrypto refuses the key.
   */
  sign(data: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>>;
}

const ALGORITHMS: readonly DkimAlgorithm[] = ["rsa-sha256", "ed25519-sha256"];

function isCryptoKey(value: unknown): value is CryptoKeyLike {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { type?: unknown }).type === "string" &&
    typeof (value as { algorithm?: { name?: unknown } }).algorithm?.name === "string" &&
    Array.isArray((value as { usages?: unknown }).usages)
  );
}

/** The DKIM algorithm a WebCrypto key signs with, checked for DKIM use. */
function cryptoKeyAlgorithm(field: string, key: CryptoKeyLike): DkimAlgorithm {
  if (key.type !== "private" || !key.usages.includes("sign")) {
    throw new DkimError(
      field,
      `must be a private CryptoKey usable to "sign" (it is a ${key.type} key for ${key.usages.join(", ") || "nothing"})`,
    );
  }
  const algorithm = key.algorithm as {
    name: string;
    hash?: { name?: string };
    modulusLength?: number;
  };
  if (algorithm.name === "Ed25519") return "ed25519-sha256";
  if (algorithm.name === "RSASSA-PKCS1-v1_5") {
    if (algorithm.hash?.name !== "SHA-256") {
      throw new DkimError(
        field,
        `is an RSASSA-PKCS1-v1_5 key for ${algorithm.hash?.name ?? "an unknown hash"}; DKIM's rsa-sha256 needs one made with hash "SHA-256"`,
      );
    }
    if (typeof algorithm.modulusLength === "number" && algorithm.modulusLength < MIN_RSA_BITS) {
      throw new DkimError(
        field,
        `is a ${algorithm.modulusLength}-bit RSA key; DKIM needs at least ${MIN_RSA_BITS} bits (2048 recommended)`,
      );
    }
    return "rsa-sha256";
  }
  throw new DkimError(
    field,
    `is a CryptoKey for ${algorithm.name}; DKIM signs with RSASSA-PKCS1-v1_5 (SHA-256) or Ed25519`,
  );
}

/**
 * Checks `privateKey` (PEM text or bytes, or a CryptoKey) against `algorithm` (inferred when
 * undefined) and returns a {@link SigningKey}. Synchronous: everything that can be known
 * without WebCrypto is checked here.
 *
 * @throws DkimError naming `field` (or `algorithmField`) when the key is unusable.
 * @since 0.1.0
 */
export function toSigningKey(
  field: string,
  privateKey: unknown,
  algorithm: unknown,
  algorithmField: string,
): SigningKey {
  if (algorithm !== undefined && !ALGORITHMS.includes(algorithm as DkimAlgorithm)) {
    throw new DkimError(
      algorithmField,
      `must be "rsa-sha256" or "ed25519-sha256", not ${JSON.stringify(algorithm)}`,
    );
  }
  let keyAlgorithm: DkimAlgorithm;
  let load: () => Promise<CryptoKeyLike>;
  if (typeof privateKey === "string" || privateKey instanceof Uint8Array) {
    let text: string;
    try {
      text =
        typeof privateKey === "string"
          ? privateKey
          : new TextDecoder("utf-8", { fatal: true }).decode(privateKey);
    } catch {
      throw new DkimError(field, "bytes are not PEM text (not valid UTF-8)");
    }
    const pem = readPemKey(field, text);
    keyAlgorithm = pem.algorithm;
    load = () =>
      subtle().importKey("pkcs8", pem.pkcs8, WEB_CRYPTO_ALGORITHM[pem.algorithm], false, ["sign"]);
  } else if (isCryptoKey(privateKey)) {
    keyAlgorithm = cryptoKeyAlgorithm(field, privateKey);
    load = () => Promise.resolve(privateKey);
  } else {
    throw new DkimError(field, "must be a PEM string, PEM bytes or a CryptoKey");
  }
  if (algorithm !== undefined && algorithm !== keyAlgorithm) {
    throw new DkimError(
      algorithmField,
      `is ${JSON.stringify(algorithm)} but the key is for ${keyAlgorithm}`,
    );
  }
  let imported: Promise<CryptoKeyLike> | undefined;
  const webAlgorithm = WEB_CRYPTO_ALGORITHM[keyAlgorithm];
  return {
    algorithm: keyAlgorithm,
    async sign(data) {
      imported ??= load().catch((error: unknown) => {
        throw new DkimError(
          field,
          `WebCrypto refused the key: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      });
      const key = await imported;
      const input = keyAlgorithm === "ed25519-sha256" ? Uint8Array.from(sha256(data)) : data;
      try {
        return new Uint8Array(await subtle().sign(webAlgorithm, key, input));
      } catch (error) {
        throw new DkimError(
          field,
          `WebCrypto could not sign with the key: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      }
    },
  };
}
