/**
 * `@smtp/core/base`: what the other `@smtp` packages need from core when they are loaded,
 * without the engine: the error type, the checks of options and envelopes, and the byte
 * primitives (base64, SHA-256). The client checks its options and messages with these at
 * once (`createClient`, `validateMessage`) and loads the engine only for its first
 * connection: importing this subpath evaluates none of the session, the reply parser, the
 * encoders or the SASL clients. {@link SmtpError} is the very class of `@smtp/core`
 * (`instanceof` holds across the two). **Not covered by semver**, like
 * `@smtp/core/internal`: applications use `@smtp/core` (which has the types, too).
 *
 * @module
 */

export { decodeBase64, encodeBase64 } from "../base64.ts";
export { concatBytes } from "../bytes.ts";
export { SHA256, sha256 } from "../crypto/sha256.ts";
export { invalidInput, SmtpError } from "../errors.ts";
export { AUTH_METHODS, credentialsKindOf } from "../sasl/auth-methods.ts";
export { validateJob } from "../transaction.ts";
export { isValidEhloName } from "../validate.ts";
