import { type Connector, type ConnectTarget, SmtpError, type Transport } from "@smtp/core";
import { checkConnectorOptions } from "./check-options.ts";
import { type DenoApi, type DenoConn, type DenoTlsConn, findDeno } from "./deno-api.ts";
import { toSmtpError } from "./deno-error.ts";
import { closeQuietly, DenoTransport } from "./deno-transport.ts";
import { abortedError, guard } from "./guard.ts";
import { DENO_CONNECTOR_DEFAULTS, type DenoConnectorOptions } from "./options.ts";
import { type AbortSignalLike, newAbortController } from "./runtime-globals.ts";

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
 *   session's server name (or `servername`) with `caCerts` added to Deno's roots;
 * - `tls: "implicit"`: `Deno.connectTls` (or `Deno.connect` + `Deno.startTls` when
 *   `servername` differs from the host), and the handshake completes before it resolves.
 *
 * Options Deno cannot honour (a client certificate without implicit TLS or with another
 * `servername`, `cert` without `key`, a `caCerts` entry that is not PEM) are refused with
 * an `invalid-input` error before anything is opened.
 *
 * Connecting, including the implicit TLS handshake, gives up after the target's
 * `connectTimeout` (default 30 s) with a `timeout` error, or when `signal` aborts with an
 * `aborted` error; a connection that opens after that is closed at once. Every runtime
 * error becomes an {@link SmtpError} with the original as `cause`.
 *
 * @example
 * ```ts
 * import { denoConnector } from "@smtp/transport-deno";
 * const connect = denoConnector({ caCerts: [await Deno.readTextFile("ca.pem")] });
 * const transport = await connect({ host: "localhost", port: 587, tls: "starttls" });
 * ```
 *
 * @param options certificates, server name, timeouts
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
  checkConnectorOptions(options, target);
  const deno = requireDeno(options);
  const where = `${target.host}:${target.port}`;
  if (signal?.aborted) throw abortedError(signal.reason, `connecting to ${where}`);
  const timeoutMs =
    target.connectTimeout ?? options.connectTimeout ?? DENO_CONNECTOR_DEFAULTS.connectTimeout;
  const hostname = target.host;
  const port = target.port;
  const caCerts = options.caCerts;
  const servername = options.servername ?? target.host;
  const cancelConnect = newAbortController();
  let stage: "connect" | "tls" = "connect";
  let opened: DenoConn | undefined;
  let gaveUp = false;
  // After a time-out or abort, a step that still completes must not start the next one
  // (a handshake with a silent server would otherwise hold the connection open).
  const track = <T extends DenoConn>(conn: T): T => {
    opened = conn;
    if (gaveUp) throw new Error("connecting was given up");
    return conn;
  };

  const open = async (): Promise<DenoConn> => {
    try {
      // checkConnectorOptions allows a client certificate only here (servername === hostname).
      if (target.tls === "implicit" && servername === hostname) {
        const tls: DenoTlsConn = track(
          await deno.connectTls({
            hostname,
            port,
            ...(caCerts ? { caCerts } : {}),
            ...(options.cert !== undefined && options.key !== undefined
              ? { cert: options.cert, key: options.key }
              : {}),
          }),
        );
        stage = "tls";
        await tls.handshake();
        return tls;
      }
      const tcp = track(
        await deno.connect({ hostname, port, transport: "tcp", signal: cancelConnect.signal }),
      );
      // One write per pipelined batch only saves round trips if Nagle does not hold it back.
      tcp.setNoDelay(true);
      if (target.tls !== "implicit") return tcp;
      stage = "tls";
      const tls = track(
        await deno.startTls(tcp, { hostname: servername, ...(caCerts ? { caCerts } : {}) }),
      );
      await tls.handshake();
      return tls;
    } catch (error) {
      closeQuietly(opened);
      throw toSmtpError(error, stage, where);
    }
  };

  const conn = await guard(open(), {
    timeoutMs,
    signal,
    timeoutError: () =>
      new SmtpError({
        kind: "timeout",
        phase: stage,
        message: `${stage === "tls" ? "the TLS handshake with" : "connecting to"} ${where} timed out after ${timeoutMs} ms`,
      }),
    cancel: () => {
      gaveUp = true;
      cancelConnect.abort();
      closeQuietly(opened);
    },
    discard: closeQuietly,
  });
  return new DenoTransport({
    deno,
    conn,
    host: target.host,
    port: target.port,
    secure: target.tls === "implicit",
    caCerts,
    servername: options.servername,
    tlsHandshakeTimeout: options.tlsHandshakeTimeout ?? timeoutMs,
    readSize: options.readSize ?? DENO_CONNECTOR_DEFAULTS.readSize,
  });
}
