/**
 * `@smtp/transport-deno`: the `Deno.connect` / `Deno.connectTls` / `Deno.startTls` transport for `@smtp`.
 *
 * @module
 */
export type { Connector, ConnectTarget, Transport } from "@smtp/core/transport-kit";
export type {
  DenoApi,
  DenoConn,
  DenoConnectOptions,
  DenoConnectTlsOptions,
  DenoNetAddr,
  DenoStartTlsOptions,
  DenoTcpConn,
  DenoTlsConn,
} from "./deno-api.ts";
export { findDeno } from "./deno-api.ts";
export { denoConnector } from "./deno-connector.ts";
export { DENO_ERRORS } from "./deno-errors.ts";
export type { DenoTransportInit } from "./deno-transport.ts";
export { DenoTransport } from "./deno-transport.ts";
export type { DenoConnectorOptions } from "./options.ts";
export { DENO_CONNECTOR_DEFAULTS } from "./options.ts";
export { type DenoTlsSettings, denoTlsSettings } from "./tls-options.ts";
