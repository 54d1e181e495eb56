/**
 * `@smtp/transport-cloudflare`: the Cloudflare Workers transport for `@smtp`, over
 * `connect()` from `cloudflare:sockets` (plain, implicit TLS and STARTTLS). `@smtp/client`
 * picks it by itself inside Workers. Cloudflare blocks outbound port 25: send to a
 * submission port (587, or 465 with implicit TLS).
 *
 * @module
 */
export type { Connector, ConnectTarget, Transport } from "@smtp/core/transport-kit";
export { cloudflareConnector } from "./cloudflare-connector.ts";
export { CLOUDFLARE_ERRORS } from "./cloudflare-errors.ts";
export { CloudflareTransport, type CloudflareTransportInit } from "./cloudflare-transport.ts";
export type { CloudflareConnectorOptions } from "./options.ts";
export type {
  CloudflareConnect,
  CloudflareReader,
  CloudflareReadResult,
  CloudflareSocket,
  CloudflareSocketInfo,
  CloudflareSocketOptions,
  CloudflareWriter,
} from "./sockets-api.ts";
export { type CloudflareTlsSettings, cloudflareTlsSettings } from "./tls-options.ts";
