import { invalidInput as invalid } from "@smtp/core/internal";
import type { ConnectTarget, TlsOptions } from "@smtp/core/transport-kit";

/** What Deno's `connectTls` and `startTls` take from the TLS options. @since 0.1.0 */
export interface DenoTlsSettings {
  /** Extra trusted CA certificates (PEM), added to Deno's roots. */
  caCerts?: string[];
  /** Client certificate chain (PEM). */
  cert?: string;
  /** Private key of `cert` (PEM). */
  key?: string;
  /** The name sent as SNI and checked against the certificate. */
  servername?: string;
}

const PEM_CERTIFICATE = "-----BEGIN CERTIFICATE-----";

function pem(value: string | Uint8Array): string {
  return typeof value === "string" ? value : new TextDecoder().decode(value);
}

function pems(value: string | Uint8Array | (string | Uint8Array)[]): string[] {
  return (Array.isArray(value) ? value : [value]).map(pem);
}

/**
 * Maps the TLS options every transport takes to Deno's. Deno adds `ca` to its default
 * roots rather than replacing them, takes one PEM client certificate and key, always
 * requires TLS 1.2 or later, and has no PKCS#12 nor a way to skip verification per
 * connection. What it cannot honour is refused, never ignored: `pfx`, `passphrase`,
 * `rejectUnauthorized: false`, a `minVersion` other than `"TLSv1.2"`, a `ca` entry that is
 * not a PEM certificate (Deno would skip it without a word), and `cert` without `key` or
 * `key` without `cert`.
 *
 * @throws SmtpError of kind `invalid-input`
 * @since 0.1.0
 */
export function denoTlsSettings(tls: TlsOptions | undefined): DenoTlsSettings {
  if (tls === undefined) return {};
  if (tls.pfx !== undefined || tls.passphrase !== undefined) {
    throw invalid("tls.pfx and tls.passphrase are not supported on Deno: give cert and key as PEM");
  }
  if (tls.rejectUnauthorized === false) {
    throw invalid(
      "tls.rejectUnauthorized: false is not supported on Deno: give the server's CA in tls.ca",
    );
  }
  if (tls.minVersion !== undefined && tls.minVersion !== "TLSv1.2") {
    throw invalid(
      `tls.minVersion ${tls.minVersion} is not supported on Deno, which always accepts TLS 1.2 and 1.3: leave it unset or give "TLSv1.2"`,
    );
  }
  const settings: DenoTlsSettings = {};
  if (tls.ca !== undefined) {
    settings.caCerts = pems(tls.ca);
    settings.caCerts.forEach((ca, index) => {
      if (!ca.includes(PEM_CERTIFICATE)) {
        throw invalid(`tls.ca[${index}] is not a PEM certificate (no "${PEM_CERTIFICATE}" line)`);
      }
    });
  }
  if ((tls.cert !== undefined) !== (tls.key !== undefined)) {
    throw invalid(
      tls.cert !== undefined
        ? "a client certificate needs its key too"
        : "a client key needs its certificate too",
    );
  }
  if (tls.cert !== undefined) settings.cert = pems(tls.cert).join("\n");
  if (tls.key !== undefined) settings.key = pems(tls.key).join("\n");
  if (tls.servername !== undefined) settings.servername = tls.servername;
  return settings;
}

/**
 * Refuses, before connecting, a client certificate Deno could not send: with STARTTLS or
 * plaintext (`Deno.startTls` cannot send one), or with a `servername` other than the host
 * (only `Deno.connectTls` sends one, and it verifies against the host).
 *
 * @throws SmtpError of kind `invalid-input`
 * @since 0.1.0
 */
export function checkTarget(settings: DenoTlsSettings, target: ConnectTarget): void {
  if (settings.cert === undefined) return;
  if (target.tls !== "implicit") {
    throw invalid(
      "a client certificate needs implicit TLS on Deno: Deno.startTls cannot send one after STARTTLS",
    );
  }
  if (settings.servername !== undefined && settings.servername !== target.host) {
    throw invalid(
      `a client certificate with servername ${settings.servername} other than the host ${target.host} is not supported on Deno: connect to ${settings.servername}`,
    );
  }
}
