/**
 * What the client needs once it has a message to send or a server to verify, and not
 * before: DKIM signing, the pool, its connections, the driver loop and, through them, the engine of
 * `@smtp/core` (the session, the reply parser, the encoders, SASL). `client.ts` loads this
 * module with a dynamic `import()` on the first `send()` or `verify()`, so that importing
 * `@smtp/client` and calling `createClient` or `validateMessage` evaluate none of it (the
 * build puts it in a chunk of its own).
 *
 * @module
 */

export { signMessage } from "./dkim-sign.ts";
export { Pool } from "./pool.ts";
export { verifyConnection } from "./verify.ts";
