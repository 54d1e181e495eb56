import { invalidInput } from "@smtp/core/internal";
import type { TlsOptions } from "@smtp/core/transport-kit";

/** What `cloudflare:sockets` takes from the TLS options. @since 0.1.0 */
export interface CloudflareTlsSettings {
  /** The name to verify the certificate against (`expectedServerHostname`). */
  servername?: string;
}

const NO_TRUST_SETTINGS =
  "Cloudflare Workers verify certificates against the public roots only, with no per-connection trust settings";

/**
 * Maps the TLS options every transport takes to what `cloudflare:sockets` can do, which is
 * little: a certificate is always verified, against the public roots, with TLS 1.2 or
 * later. `servername` is kept; what Workers cannot honour is refused, never ignored: `ca`,
 * `cert`, `key`, `pfx`, `passphrase`, `rejectUnauthorized: false` and a `minVersion` other
 * than `"TLSv1.2"`.
 *
 * @throws SmtpError of kind `invalid-input`
 * @since 0.1.0
 */
export function cloudflareTlsSettings(tls: TlsOptions | undefined): CloudflareTlsSettings {
  if (tls === undefined) return {};
  if (tls.ca !== undefined) {
    throw invalidInput(
      `tls.ca is not supported on Cloudflare Workers: ${NO_TRUST_SETTINGS}; the server needs a publicly trusted certificate`,
    );
  }
  for (const key of ["cert", "key", "pfx", "passphrase"] as const) {
    if (tls[key] !== undefined) {
      throw invalidInput(
        `tls.${key} is not supported on Cloudflare Workers: cloudflare:sockets cannot send a client certificate`,
      );
    }
  }
  if (tls.rejectUnauthorized === false) {
    throw invalidInput(`tls.rejectUnauthorized: false is not supported: ${NO_TRUST_SETTINGS}`);
  }
  if (tls.minVersion !== undefined && tls.minVersion !== "TLSv1.2") {
    throw invalidInput(
      `tls.minVersion ${tls.minVersion} is not supported on Cloudflare Workers, which decide the versions themselves: leave it unset or give "TLSv1.2"`,
    );
  }
  return tls.servername === undefined ? {} : { servername: tls.servername };
}
