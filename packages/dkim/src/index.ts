/**
 * `@smtp/dkim`: DKIM signing (RFC 6376) with RSA-SHA256 and Ed25519-SHA256 (RFC 8463) over
 * any message byte stream, in bounded memory.
 *
 * Platform-free (no Node, no DOM): the body is canonicalized and hashed as it streams, and
 * the signature is made with the runtime's WebCrypto (`crypto.subtle`), present in Node.js
 * 20+, Deno, Bun and browsers. It performs no I/O.
 *
 * @module
 */
export { DkimError, type DkimErrorKind } from "./errors.ts";
export type {
  CryptoKeyLike,
  DkimAlgorithm,
  DkimCanonicalization,
  DkimOptions,
  DkimSignerOptions,
  Sha256Like,
} from "./options.ts";
export { fieldBytes, prependFields } from "./prepend.ts";
export { DEFAULT_SIGNED_FIELDS } from "./signature-options.ts";
export {
  createDkimSigner,
  type DkimSigner,
  type DkimSigning,
  type SignOptions,
} from "./signer.ts";
