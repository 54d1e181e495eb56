import type { ClientOptions } from "./options.ts";
import { resolveOptions } from "./resolve-options.ts";

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
export function serverOf(options: ClientOptions | string): {
  host: string;
  port: number;
  secure: boolean;
} {
  const resolved = resolveOptions(options);
  return { host: resolved.host, port: resolved.port, secure: resolved.secure };
}
