import { SmtpError } from "@smtp/core";
import type { Connector, ConnectTarget, Transport } from "@smtp/core/transport-kit";
import {
  type AbortSignalLike,
  abortedError,
  raceSignal,
  type TransportPeer,
  toTransportError,
} from "@smtp/core/transport-kit";
import { type DenoApi, type DenoConn, type DenoTlsConn, findDeno } from "./deno-api.ts";
import { DENO_ERRORS } from "./deno-errors.ts";
import { closeQuietly, DenoTransport } from "./deno-transport.ts";
import { DENO_CONNECTOR_DEFAULTS, type DenoConnectorOptions } from "./options.ts";
import { checkTarget, type DenoTlsSettings, denoTlsSettings } from "./tls-options.ts";

function requireDeno(options: DenoConnectorOptions): DenoApi {
  const deno = options.deno ?? findDeno();
  if (deno) return deno;
  throw new SmtpError({
    kind: "connection",
    retryable: false,
    message:
      "@smtp/transport-deno needs the Deno runtime (no global Deno); use @smtp/transport-node",
  });
}

/**
 * A {@link Connector} over Deno's network API:
 *
 * - `tls: "none"` and `"starttls"`: `Deno.connect` (TCP, no delay); STARTTLS later upgrades
 *   the same connection with `Deno.startTls`, verifying the certificate against the
 *   session's server name (or `tls.servername`) with `tls.ca` added to Deno's roots;
 * - `tls: "implicit"`: `Deno.connectTls` (or `Deno.connect` + `Deno.startTls` when
 *   `tls.servername` differs from the host), and the handshake completes before it resolves.
 *
 * TLS options Deno cannot honour (see {@link denoTlsSettings}) and a client certificate
 * without implicit TLS or with another `servername` are refused with an `invalid-input`
 * error before anything is opened.
 *
 * The connector keeps no clock: `signal` is the deadline (the client aborts it when its
 * connect timeout passes) and rejects with its reason; a connection that opens after that
 * is closed at once. `target.connectTimeout` is not read. Every runtime error becomes an
 * {@link SmtpError} with the original as `cause`.
 *
 * @example
 * ```ts
 * import { denoConnector } from "@smtp/transport-deno";
 * const connect = denoConnector({ tls: { ca: await Deno.readTextFile("ca.pem") } });
 * const transport = await connect(
 *   { host: "localhost", port: 587, tls: "starttls" },
 *   AbortSignal.timeout(30_000),
 * );
 * ```
 *
 * @param options TLS settings, read size
 * @returns a function opening one connection per call
 * @since 0.1.0
 */
export function denoConnector(options: DenoConnectorOptions = {}): Connector {
  return (target: ConnectTarget, signal?: Parameters<Connector>[1]): Promise<Transport> =>
    connect(options, target, signal as AbortSignalLike | undefined);
}

async function connect(
  options: DenoConnectorOptions,
  target: ConnectTarget,
  signal: AbortSignalLike | undefined,
): Promise<Transport> {
  const tls = denoTlsSettings(options.tls);
  checkTarget(tls, target);
  const deno = requireDeno(options);
  const peer: TransportPeer = { host: target.host, port: target.port };
  if (signal?.aborted) throw abortedError(signal.reason, peer);
  const attempt: Attempt = { opened: undefined, gaveUp: false };
  const conn = await raceSignal<DenoConn>(open(deno, tls, target, signal, attempt), signal, {
    peer,
    cancel: () => {
      attempt.gaveUp = true;
      closeQuietly(attempt.opened);
    },
    discard: closeQuietly,
  });
  return new DenoTransport({
    deno,
    conn,
    host: target.host,
    port: target.port,
    secure: target.tls === "implicit",
    caCerts: tls.caCerts,
    servername: tls.servername,
    readSize: options.readSize ?? DENO_CONNECTOR_DEFAULTS.readSize,
  });
}

/** One connection attempt: what it has opened so far, and whether the caller gave up. */
interface Attempt {
  opened: DenoConn | undefined;
  gaveUp: boolean;
}

/** Opens the TCP connection, and for implicit TLS completes the handshake. */
async function open(
  deno: DenoApi,
  tls: DenoTlsSettings,
  target: ConnectTarget,
  signal: AbortSignalLike | undefined,
  attempt: Attempt,
): Promise<DenoConn> {
  const { host: hostname, port } = target;
  const servername = tls.servername ?? hostname;
  const caCerts = tls.caCerts ? { caCerts: tls.caCerts } : {};
  let stage: "connect" | "tls" = "connect";
  // After an abort, a step that still completes must not start the next one (a handshake
  // with a silent server would otherwise hold the connection open).
  const track = <T extends DenoConn>(conn: T): T => {
    attempt.opened = conn;
    if (attempt.gaveUp) throw new Error("connecting was given up");
    return conn;
  };
  try {
    // checkTarget allows a client certificate only here (servername === hostname).
    if (target.tls === "implicit" && servername === hostname) {
      const conn: DenoTlsConn = track(
        await deno.connectTls({
          hostname,
          port,
          ...caCerts,
          ...(tls.cert !== undefined && tls.key !== undefined
            ? { cert: tls.cert, key: tls.key }
            : {}),
        }),
      );
      stage = "tls";
      await conn.handshake();
      return conn;
    }
    const tcp = track(
      await deno.connect({ hostname, port, transport: "tcp", ...(signal ? { signal } : {}) }),
    );
    // One write per pipelined batch only saves round trips if Nagle does not hold it back.
    tcp.setNoDelay(true);
    if (target.tls !== "implicit") return tcp;
    stage = "tls";
    const conn = track(await deno.startTls(tcp, { hostname: servername, ...caCerts }));
    await conn.handshake();
    return conn;
  } catch (error) {
    closeQuietly(attempt.opened);
    throw toTransportError(error, DENO_ERRORS, { host: hostname, port }, stage);
  }
}
