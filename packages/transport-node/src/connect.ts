import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { type Connector, type ConnectTarget, SmtpError } from "@smtp/core";
import { abortedError, timeoutError, toSmtpError } from "./node-error.ts";
import { NodeTransport } from "./node-transport.ts";
import { NODE_TRANSPORT_DEFAULTS, type NodeTransportOptions } from "./options.ts";
import { tlsConnectOptions } from "./tls-options.ts";

const ignore = (): void => {};

/**
 * A {@link Connector} over `node:net` and `node:tls`: plain TCP (`tls: "none"` and
 * `"starttls"`, upgraded later by `startTls`) or implicit TLS (`tls: "implicit"`).
 *
 * ```ts
 * const connect = nodeConnector({ tls: { ca: readFileSync("ca.pem", "utf8") } });
 * const transport = await connect({ host: "localhost", port: 465, tls: "implicit" });
 * ```
 *
 * @since 0.1.0
 */
export function nodeConnector(options: NodeTransportOptions = {}): Connector {
  return (target, signal) => connectNode(target, options, signal);
}

/**
 * Opens a {@link NodeTransport}. The connect timeout covers the TCP connect and, for implicit
 * TLS, the handshake; the signal aborts either. Every failure destroys the socket and
 * rejects with an `SmtpError` (`connection`, `tls`, `timeout` or `aborted`).
 *
 * @since 0.1.0
 */
export function connectNode(
  target: ConnectTarget,
  options: NodeTransportOptions = {},
  signal?: AbortSignal,
): Promise<NodeTransport> {
  const where = { host: target.host, port: target.port };
  if (signal?.aborted) {
    return Promise.reject(abortedError(signal.reason, `${target.host}:${target.port}`));
  }
  if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65_535) {
    return Promise.reject(
      new SmtpError({ kind: "invalid-input", message: `invalid port: ${target.port}` }),
    );
  }
  const timeout =
    target.connectTimeout ?? options.connectTimeout ?? NODE_TRANSPORT_DEFAULTS.connectTimeout;
  const tls = options.tls ?? {};
  const implicit = target.tls === "implicit";
  const tcp = {
    host: target.host,
    port: target.port,
    ...(options.family ? { family: options.family } : {}),
    ...(options.localAddress ? { localAddress: options.localAddress } : {}),
    ...(options.lookup ? { lookup: options.lookup } : {}),
  };
  let socket: Socket;
  try {
    socket = implicit
      ? tlsConnect({ ...tlsConnectOptions(tls, tls.servername ?? target.host), ...tcp })
      : netConnect(tcp);
  } catch (error) {
    // Synchronous throws come from the options (an unreadable key, a bad CA, a bad address).
    return Promise.reject(
      new SmtpError({
        kind: "invalid-input",
        message: `invalid connection options for ${target.host}:${target.port}: ${
          error instanceof Error ? error.message : String(error)
        }`,
        cause: error,
      }),
    );
  }

  return new Promise((resolve, reject) => {
    let tcpUp = false;
    const timer = setTimeout(() => {
      fail(timeoutError(implicit && tcpUp ? "tls" : "connect", where, timeout));
    }, timeout);
    const onConnect = (): void => {
      tcpUp = true;
      if (!implicit) succeed();
    };
    const onSecureConnect = (): void => succeed();
    const onError = (error: Error): void => {
      fail(toSmtpError(error, { ...where, stage: implicit && tcpUp ? "tls" : "connect" }));
    };
    const onClose = (): void => {
      fail(
        new SmtpError({
          kind: "connection",
          message: `the connection to ${target.host}:${target.port} closed while connecting`,
          retryable: true,
        }),
      );
    };
    const onAbort = (): void => {
      fail(abortedError(signal?.reason, `${target.host}:${target.port}`));
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off("connect", onConnect);
      socket.off("secureConnect", onSecureConnect);
      socket.off("error", onError);
      socket.off("close", onClose);
      signal?.removeEventListener("abort", onAbort);
    };
    const fail = (error: SmtpError): void => {
      cleanup();
      // A late 'error' from the dying socket must not become an uncaught exception.
      socket.on("error", ignore);
      socket.once("close", () => socket.off("error", ignore));
      socket.destroy();
      reject(error);
    };
    const succeed = (): void => {
      cleanup();
      resolve(
        new NodeTransport({
          socket,
          host: target.host,
          port: target.port,
          secure: implicit,
          tls,
          tlsHandshakeTimeout: options.tlsHandshakeTimeout ?? timeout,
          closeTimeout: options.closeTimeout ?? NODE_TRANSPORT_DEFAULTS.closeTimeout,
          maxReadBuffer: options.maxReadBuffer ?? NODE_TRANSPORT_DEFAULTS.maxReadBuffer,
        }),
      );
    };
    socket.once("connect", onConnect);
    if (implicit) socket.once("secureConnect", onSecureConnect);
    socket.once("error", onError);
    socket.once("close", onClose);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
