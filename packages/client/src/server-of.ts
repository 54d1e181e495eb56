import type { ClientOptions } from "./options.ts";
import { resolveOptions } from "./resolve-options.ts";

/** Where a client connects: see {@link serverOf}. @since 0.2.0 */
export interface ServerAddress {
  /** The host name or IP address, after a connection URL or `service`. */
  host: string;
  /** The TCP port (587 by default, 465 with implicit TLS). */
  port: number;
  /** Whether TLS starts with the first byte (implicit TLS). */
  secure: boolean;
}

/**
 * The server that `options` connect to, after a connection URL and `service` are applied,
 * with the port and TLS mode `createClient` would use. Validates the options as
 * `createClient` does (an invalid option throws `SmtpError` kind `invalid-input`); opens
 * nothing. For keeping rate limits or statistics per destination.
 *
 * @example
 * ```ts
 * serverOf("smtps://user:pass@smtp.example.com"); // { host: "smtp.example.com", port: 465, secure: true }
 * ```
 *
 * @since 0.2.0
 */
export function serverOf(options: ClientOptions | string): ServerAddress {
  const resolved = resolveOptions(options);
  return { host: resolved.host, port: resolved.port, secure: resolved.secure };
}
