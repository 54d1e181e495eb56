import { isIP } from "node:net";
import type { ConnectionOptions } from "node:tls";
import { NODE_TRANSPORT_DEFAULTS, type NodeTlsOptions } from "./options.ts";

/**
 * The `tls.connect` options for a server name: SNI with the name unless it is an IP address
 * (SNI forbids those), and the certificate always checked against the name.
 */
export function tlsConnectOptions(
  tls: NodeTlsOptions,
  name: string,
  session?: Uint8Array,
): ConnectionOptions {
  const options: ConnectionOptions = {
    rejectUnauthorized: tls.rejectUnauthorized ?? true,
    minVersion: tls.minVersion ?? NODE_TRANSPORT_DEFAULTS.minVersion,
    // tls.connect checks the certificate against `servername`, else against `host`.
    host: name,
  };
  if (isIP(name) === 0) options.servername = name;
  if (tls.ca !== undefined) options.ca = tls.ca as ConnectionOptions["ca"];
  if (tls.cert !== undefined) options.cert = tls.cert as ConnectionOptions["cert"];
  if (tls.key !== undefined) options.key = tls.key as ConnectionOptions["key"];
  if (tls.pfx !== undefined) options.pfx = tls.pfx as ConnectionOptions["pfx"];
  if (tls.passphrase !== undefined) options.passphrase = tls.passphrase;
  // An earlier connection's session to resume (see tls-sessions.ts).
  if (session !== undefined) options.session = session as Buffer;
  return options;
}
