import { invalidInput, SmtpError } from "@smtp/core/base";
import {
  type AbortSignalLike,
  abortedError,
  type Connector,
  type ConnectTarget,
  raceSignal,
  type Transport,
  type TransportPeer,
} from "@smtp/core/transport-kit";
import { describeProxy, type ProxyLabel, proxyError, throughProxy } from "./proxy-errors.ts";
import { TunnelReader } from "./tunnel-reader.ts";
import { TunnelTransport } from "./tunnel-transport.ts";

/**
 * A protocol's handshake: given the mail server, it checks the address (throwing
 * `invalid-input` before anything is opened) and returns what asks the proxy for the
 * tunnel on a connection to it.
 */
export type Handshake = (
  target: TransportPeer,
) => (transport: Transport, reader: TunnelReader) => Promise<void>;

/**
 * A connector that reaches each mail server through a proxy: `inner` opens the connection
 * to the proxy (plaintext, upgradable in place), `handshake` asks the proxy for the
 * tunnel, and for implicit TLS the handshake with the mail server then runs inside the
 * tunnel, verified against the mail server's name (or the inner transport's own
 * `tls.servername`), never the proxy's. `signal` bounds the whole of it: the proxy's
 * handshake has no clock of its own.
 */
export function tunnelConnector(
  inner: Connector,
  proxy: ProxyLabel,
  handshake: Handshake,
): Connector {
  if (typeof inner !== "function") {
    throw invalidInput("a proxy wraps a connector: pass one, e.g. nodeConnector()");
  }
  return (target, signal) => openTunnel(inner, proxy, handshake, target, signal);
}

async function openTunnel(
  inner: Connector,
  proxy: ProxyLabel,
  handshake: Handshake,
  target: ConnectTarget,
  signal: Parameters<Connector>[1],
): Promise<Transport> {
  const peer: TransportPeer = { host: target.host, port: target.port };
  if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65_535) {
    throw invalidInput(`invalid port: ${target.port}`);
  }
  const run = handshake(peer);
  if (signal?.aborted) throw abortedError(signal.reason, peer);
  const toProxy: ConnectTarget = {
    host: proxy.host,
    port: proxy.port,
    // Plaintext to the proxy, but upgradable: TLS with the mail server runs inside the tunnel.
    tls: target.tls === "none" ? "none" : "starttls",
    ...(target.connectTimeout === undefined ? {} : { connectTimeout: target.connectTimeout }),
  };
  let transport: Transport;
  try {
    transport = await inner(toProxy, signal);
  } catch (error) {
    throw unreachable(error, proxy);
  }
  const opening = (async (): Promise<Transport> => {
    const reader = new TunnelReader(transport, proxy);
    await run(transport, reader);
    const leftover = reader.rest();
    if (target.tls === "implicit") {
      if (leftover.byteLength > 0) {
        throw proxyError(
          "proxy-refused",
          `${describeProxy(proxy)} sent bytes before the TLS handshake with ${target.host}`,
          false,
        );
      }
      try {
        await transport.startTls({ servername: target.host });
      } catch (error) {
        throw throughProxy(error, peer, proxy);
      }
    }
    return new TunnelTransport({ inner: transport, target: peer, proxy, leftover });
  })();
  const failed = opening.catch((error: unknown) => {
    transport.abort(error);
    throw error;
  });
  return raceSignal(failed, signal as AbortSignalLike | undefined, {
    peer,
    cancel: () => transport.abort(signal?.reason),
    discard: (late) => late.abort(),
  });
}

/** A connection to the proxy that failed: `proxy-unreachable` when the network said so. */
function unreachable(error: unknown, proxy: ProxyLabel): unknown {
  if (!(error instanceof SmtpError) || error.kind !== "connection") return error;
  return proxyError(
    "proxy-unreachable",
    `${describeProxy(proxy)} cannot be reached: ${error.message}`,
    error.retryable,
    error,
  );
}
