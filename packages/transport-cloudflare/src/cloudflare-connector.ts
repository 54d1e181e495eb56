import { invalidInput } from "@smtp/core/internal";
import {
  type AbortSignalLike,
  abortedError,
  type Connector,
  type ConnectTarget,
  raceSignal,
  type Transport,
  type TransportPeer,
  toTransportError,
} from "@smtp/core/transport-kit";
import { blockedPortHint, CLOUDFLARE_ERRORS, handshakeError } from "./cloudflare-errors.ts";
import { CloudflareTransport } from "./cloudflare-transport.ts";
import type { CloudflareConnectorOptions } from "./options.ts";
import { type CloudflareSocket, socketsConnect } from "./sockets-api.ts";
import { type CloudflareTlsSettings, cloudflareTlsSettings } from "./tls-options.ts";

/**
 * A {@link Connector} over `connect()` from `cloudflare:sockets`, for Cloudflare Workers:
 *
 * - `tls: "none"`: `secureTransport: "off"`;
 * - `tls: "starttls"`: `secureTransport: "starttls"`, upgraded later by `startTls()`, which
 *   verifies the certificate against the session's server name (or `tls.servername`);
 * - `tls: "implicit"`: the same socket upgraded at once, so that a failed connection and
 *   a failed handshake are told apart (workerd reports both alike otherwise), and
 *   `tls.servername` can be verified. workerd runs the handshake with the first read or
 *   write, which fails (kind `tls`) when the certificate is not accepted: the connector
 *   resolves once the TCP connection is open.
 *
 * Certificates are verified against the public roots: there is no per-connection trust
 * setting, so the TLS options Workers cannot honour are refused (see
 * {@link cloudflareTlsSettings}). Cloudflare blocks outbound port 25: use 587 (STARTTLS) or
 * 465 (implicit TLS).
 *
 * The connector keeps no clock: `signal` is the deadline (the client aborts it when its
 * connect timeout passes) and rejects with its reason; a socket that opens after that is
 * closed at once. Every runtime error becomes an `SmtpError` with the original as `cause`.
 *
 * @example
 * ```ts
 * import { cloudflareConnector } from "@smtp/transport-cloudflare";
 * const connect = cloudflareConnector();
 * const transport = await connect(
 *   { host: "smtp.example.com", port: 465, tls: "implicit" },
 *   AbortSignal.timeout(30_000),
 * );
 * ```
 *
 * @param options TLS settings, the `connect` to use
 * @returns a function opening one connection per call
 * @throws SmtpError of kind `invalid-input` for TLS options Workers cannot honour
 * @since 0.1.0
 */
export function cloudflareConnector(options: CloudflareConnectorOptions = {}): Connector {
  const tls = cloudflareTlsSettings(options.tls);
  return (target, signal) => connect(options, tls, target, signal as AbortSignalLike | undefined);
}

async function connect(
  options: CloudflareConnectorOptions,
  tls: CloudflareTlsSettings,
  target: ConnectTarget,
  signal: AbortSignalLike | undefined,
): Promise<Transport> {
  const peer: TransportPeer = { host: target.host, port: target.port };
  if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65_535) {
    throw invalidInput(`invalid port: ${target.port}`);
  }
  const open = options.connect ?? (await socketsConnect());
  if (signal?.aborted) throw abortedError(signal.reason, peer);
  const attempt: { socket: CloudflareSocket | undefined } = { socket: undefined };
  const opening = (async (): Promise<CloudflareTransport> => {
    let info: Awaited<CloudflareSocket["opened"]>;
    try {
      attempt.socket = open(
        { hostname: target.host, port: target.port },
        { secureTransport: target.tls === "none" ? "off" : "starttls", allowHalfOpen: true },
      );
      info = await attempt.socket.opened;
    } catch (error) {
      throw blockedPortHint(toTransportError(error, CLOUDFLARE_ERRORS, peer, "connect"), peer);
    }
    let socket = attempt.socket;
    if (target.tls === "implicit") {
      const name = tls.servername ?? target.host;
      try {
        socket = socket.startTls({ expectedServerHostname: name });
        attempt.socket = socket;
        await socket.opened;
      } catch (error) {
        throw handshakeError(toTransportError(error, CLOUDFLARE_ERRORS, peer, "tls"), peer, name);
      }
    }
    return new CloudflareTransport({
      socket,
      host: target.host,
      port: target.port,
      secure: target.tls === "implicit",
      servername: tls.servername,
      remoteAddress: addressOf(info.remoteAddress),
    });
  })();
  const failed = opening.catch((error: unknown) => {
    closeQuietly(attempt.socket);
    throw error;
  });
  return raceSignal(failed, signal, {
    peer,
    cancel: () => closeQuietly(attempt.socket),
    discard: (transport) => transport.abort(),
  });
}

function closeQuietly(socket: CloudflareSocket | undefined): void {
  socket?.close().catch(() => {});
}

/** The IP address in workerd's `host:port`, or undefined when it is a name. */
function addressOf(remote: string | undefined): string | undefined {
  if (remote === undefined) return undefined;
  const match = /^\[?([0-9A-Fa-f:.]+?)\]?:\d+$/.exec(remote);
  const host = match?.[1];
  if (host === undefined) return undefined;
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(":") ? host : undefined;
}
