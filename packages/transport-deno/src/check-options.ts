import { type ConnectTarget, SmtpError } from "@smtp/core";
import type { DenoConnectorOptions } from "./options.ts";

const PEM_CERTIFICATE = "-----BEGIN CERTIFICATE-----";

function invalid(message: string): SmtpError {
  return new SmtpError({ kind: "invalid-input", message, retryable: false });
}

/**
 * Refuses, before any connection is opened, TLS options that Deno would otherwise
 * ignore or weaken silently:
 *
 * - a `caCerts` entry with no PEM certificate block (Deno skips it without a word);
 * - `cert` without `key`, or `key` without `cert` (no client certificate would be sent);
 * - a client certificate with STARTTLS or plaintext (`Deno.startTls` cannot send one);
 * - a client certificate with a `servername` other than the host on implicit TLS (only
 *   `Deno.connectTls` sends a certificate, and it verifies against the host).
 *
 * @param options the connector's options
 * @param target where the connection is going
 * @throws SmtpError of kind `invalid-input`
 * @since 0.1.0
 */
export function checkConnectorOptions(options: DenoConnectorOptions, target: ConnectTarget): void {
  options.caCerts?.forEach((ca, index) => {
    if (!ca.includes(PEM_CERTIFICATE)) {
      throw invalid(`caCerts[${index}] is not a PEM certificate (no "${PEM_CERTIFICATE}" line)`);
    }
  });
  const hasCert = options.cert !== undefined;
  if (hasCert !== (options.key !== undefined)) {
    throw invalid(
      hasCert ? "a client certificate needs its key too" : "a client key needs its certificate too",
    );
  }
  if (!hasCert) return;
  if (target.tls !== "implicit") {
    throw invalid(
      "a client certificate needs implicit TLS on Deno: Deno.startTls cannot send one after STARTTLS",
    );
  }
  if (options.servername !== undefined && options.servername !== target.host) {
    throw invalid(
      `a client certificate with servername ${options.servername} other than the host ${target.host} is not supported on Deno: connect to ${options.servername}`,
    );
  }
}
