/**
 * `@smtp/transport-node`: the `node:net` / `node:tls` transport for `@smtp` (Node.js and Bun).
 *
 * @module
 */
export type { Connector, ConnectTarget, Transport } from "@smtp/core/transport-kit";
export { connectNode, nodeConnector } from "./connect.ts";
export { NODE_ERRORS } from "./node-errors.ts";
export { NodeTransport, type NodeTransportInit } from "./node-transport.ts";
export {
  NODE_TRANSPORT_DEFAULTS,
  type NodeTlsOptions,
  type NodeTransportOptions,
} from "./options.ts";
export type { NodeTlsCertificate, NodeTlsInfo } from "./tls-info.ts";
export { TlsSessionCache, type TlsSessionSlot } from "./tls-sessions.ts";
