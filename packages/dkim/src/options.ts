/**
 * The signing algorithms: RSA with SHA-256 (RFC 6376) and Ed25519 over SHA-256 (RFC 8463).
 * `rsa-sha1` is deliberately absent (RFC 8301 forbids signing with it).
 *
 * @since 0.1.0
 */
export type DkimAlgorithm = "rsa-sha256" | "ed25519-sha256";

/**
 * Header and body canonicalization, `header/body` (RFC 6376 §3.4). `relaxed` survives the
 * whitespace and case changes relays make; `simple` allows none.
 *
 * @since 0.1.0
 */
export type DkimCanonicalization =
  | "relaxed/relaxed"
  | "relaxed/simple"
  | "simple/relaxed"
  | "simple/simple";

/**
 * The parts of a WebCrypto `CryptoKey` this package reads. Any `CryptoKey` fits; the type
 * is spelled out so that the package needs no DOM or runtime typings.
 *
 * @since 0.1.0
 */
export interface CryptoKeyLike {
  /** `"private"` for a key that can sign. */
  readonly type: string;
  /** The WebCrypto algorithm the key was made for. */
  readonly algorithm: {
    /** `"RSASSA-PKCS1-v1_5"` (with hash SHA-256) or `"Ed25519"`. */
    readonly name: string;
  };
  /** What the key may do: it must include `"sign"`. */
  readonly usages: readonly string[];
}

/**
 * One DKIM signature to add. The field names are nodemailer's (`domainName`, `keySelector`,
 * `privateKey`, `headerFieldNames`, `skipFields`), so its settings carry over.
 *
 * @since 0.1.0
 */
export interface DkimOptions {
  /** The signing domain, `d=`: ASCII (an internationalised domain in its `xn--` form). */
  domainName: string;
  /** The selector, `s=`: the key is published at `<keySelector>._domainkey.<domainName>`. */
  keySelector: string;
  /**
   * The private key: PEM text (PKCS#8 `BEGIN PRIVATE KEY`, or PKCS#1 `BEGIN RSA PRIVATE
   * KEY`), the same PEM as bytes (e.g. a file's content), or a WebCrypto `CryptoKey` made
   * for signing (`RSASSA-PKCS1-v1_5` with SHA-256, or `Ed25519`). RSA keys must have at
   * least 1024 bits. Encrypted PEM is not accepted.
   */
  privateKey: string | Uint8Array | CryptoKeyLike;
  /** Inferred from the key when absent; a key of another type is refused. */
  algorithm?: DkimAlgorithm;
  /**
   * The header fields to sign when present, as a list or a colon-separated string
   * (`"From:To:Subject"`), replacing the default set. From is always signed.
   */
  headerFieldNames?: string | readonly string[];
  /** Header fields not to sign, as a list or a colon-separated string. From cannot be skipped. */
  skipFields?: string | readonly string[];
  /** Default `"relaxed/relaxed"`. */
  canonicalization?: DkimCanonicalization;
  /** Seconds after signing at which the signature expires (`x=`). No expiry when absent. */
  expiresIn?: number;
}

/**
 * A running SHA-256 computation, as `node:crypto`'s `createHash("sha256")` returns one.
 *
 * @since 0.1.0
 */
export interface Sha256Like {
  /** Adds bytes; the array is not kept after the call. */
  update(data: Uint8Array): unknown;
  /** The 32-byte digest of everything added; called once. */
  digest(): Uint8Array;
}

/**
 * Settings of the signer itself, not of a signature.
 *
 * @since 0.1.0
 */
export interface DkimSignerOptions {
  /**
   * Starts a streaming SHA-256 for the body hash. Default: the package's own TypeScript
   * SHA-256 (WebCrypto has no streaming digest). A native one, such as
   * `() => createHash("sha256")` from `node:crypto`, hashes large bodies several times faster.
   */
  createSha256?: () => Sha256Like;
}
