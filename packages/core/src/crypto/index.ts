export type { HashAlgorithm, HashState } from "./hash.ts";
export type { KeyedHmac } from "./hmac.ts";
export { createHmac, hmac } from "./hmac.ts";
export { MD5, md5 } from "./md5.ts";
export { pbkdf2 } from "./pbkdf2.ts";
export { SHA256, sha256 } from "./sha256.ts";
