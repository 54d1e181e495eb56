/**
 * `@smtp/transport-deno`: the `Deno.connect` / `Deno.connectTls` / `Deno.startTls` transport for `@smtp`.
 *
 * @module
 */
export type { Connector, Transport } from "@smtp/core";
