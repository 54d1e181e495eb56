/**
 * `@smtp/client`: send email over SMTP from Node.js, Deno and Bun.
 *
 * @module
 */
export type { Connector, Transport } from "@smtp/core";
