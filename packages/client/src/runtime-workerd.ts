// The platform inside Cloudflare Workers, reached as "#platform" through the `workerd`
// condition of package.json `imports` (wrangler's bundler sets it): the Cloudflare
// transport, and no node:* module anywhere in reach.
import { invalidInput } from "@smtp/core/base";
import type { Connector } from "@smtp/core/transport-kit";
import type { Sha256Like } from "@smtp/dkim";
import { cloudflareConnector } from "@smtp/transport-cloudflare";
import type { ClientTlsOptions } from "./options.ts";

/**
 * Why `name` is required inside Workers: they have no host name and tell no local address,
 * so nothing could stand in the EHLO greeting.
 *
 * @since 0.1.0
 */
export const EHLO_NAME_REQUIRED: string | undefined =
  'name is required on Cloudflare Workers: a Worker has no host name and no local address to introduce itself with in EHLO; give your domain, e.g. name: "mail.example.com"';

/**
 * The default connector inside Workers: `@smtp/transport-cloudflare`, given the client's
 * `tls` options (it refuses what Workers cannot honour, such as `tls.ca`).
 *
 * @since 0.1.0
 */
export async function defaultConnector(tls: ClientTlsOptions | undefined): Promise<Connector> {
  return cloudflareConnector(tls === undefined ? {} : { tls });
}

/** No host name inside Workers. @since 0.1.0 */
export async function machineHostname(): Promise<string | undefined> {
  return undefined;
}

/** No native streaming SHA-256 inside Workers: `@smtp/dkim` uses its own. @since 0.1.0 */
export async function nativeSha256(): Promise<(() => Sha256Like) | undefined> {
  return undefined;
}

/** No file system inside Workers: a `path` attachment or a DKIM spool folder is refused. @since 0.1.0 */
export async function nodeFs(): Promise<typeof import("node:fs")> {
  throw invalidInput(
    "files cannot be read or written on Cloudflare Workers: give attachments as content (bytes, text or a stream), not path, and no dkim.spool",
  );
}
