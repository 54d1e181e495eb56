import type { CryptoKeyLike } from "./options.ts";

/** The WebCrypto algorithm parameters used here. */
type KeyAlgorithmParams = { name: "RSASSA-PKCS1-v1_5"; hash: "SHA-256" } | { name: "Ed25519" };

/** The part of `SubtleCrypto` this package calls (Node 20, Deno, Bun and browsers have it). */
interface SubtleLike {
  importKey(
    format: "pkcs8",
    keyData: Uint8Array<ArrayBuffer>,
    algorithm: KeyAlgorithmParams,
    extractable: false,
    usages: ["sign"],
  ): Promise<CryptoKeyLike>;
  sign(
    algorithm: KeyAlgorithmParams,
    key: CryptoKeyLike,
    data: Uint8Array<ArrayBuffer>,
  ): Promise<ArrayBuffer>;
}

/**
 * The runtime's `crypto.subtle`. Read through `globalThis` with the narrow type above, so
 * the package compiles without DOM or runtime typings.
 *
 * @throws Error when the runtime has no WebCrypto.
 * @since 0.1.0
 */
export function subtle(): SubtleLike {
  const found = (globalThis as unknown as { crypto?: { subtle?: SubtleLike } }).crypto?.subtle;
  if (found === undefined) throw new Error("this runtime has no WebCrypto (crypto.subtle)");
  return found;
}

/**
 * The WebCrypto parameters for each DKIM algorithm.
 *
 * @since 0.1.0
 */
export const WEB_CRYPTO_ALGORITHM = {
  "rsa-sha256": { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
  "ed25519-sha256": { name: "Ed25519" },
} as const satisfies Record<string, KeyAlgorithmParams>;
