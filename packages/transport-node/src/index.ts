/**
 * `@smtp/transport-node`: the `node:net` / `node:tls` transport for `@smtp` (Node.js and Bun).
 *
 * @module
 */
export type { Connector, Transport } from "@smtp/core";
