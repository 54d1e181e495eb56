import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { SmtpError } from "@smtp/core";
import { invalidInput } from "@smtp/core/internal";
import type { Connector, ConnectTarget } from "@smtp/core/transport-kit";
import {
  abortedError,
  raceSignal,
  type TransportPeer,
  toTransportError,
} from "@smtp/core/transport-kit";
import { NODE_ERRORS } from "./node-errors.ts";
import { NodeTransport } from "./node-transport.ts";
import { NODE_TRANSPORT_DEFAULTS, type NodeTransportOptions } from "./options.ts";
import { tlsConnectOptions } from "./tls-options.ts";
import { keepSessions, TlsSessionCache } from "./tls-sessions.ts";

const ignore = (): void => {};

/**
 * A {@link Connector} over `node:net` and `node:tls`: plain TCP (`tls: "none"` and
 * `"starttls"`, upgraded later by `startTls`) or implicit TLS (`tls: "implicit"`).
 *
 * ```ts
 * const connect = nodeConnector({ tls: { ca: readFileSync("ca.pem", "utf8") } });
 * const transport = await connect(
 *   { host: "localhost", port: 465, tls: "implicit" },
 *   AbortSignal.timeout(30_000),
 * );
 * ```
 *
 * @since 0.1.0
 */
export function nodeConnector(options: NodeTransportOptions = {}): Connector {
  // One cache per connector: its connections resume each other's TLS sessions.
  const sessions = options.resumeSessions === false ? undefined : new TlsSessionCache();
  return (target, signal) => connectNode(target, options, signal, sessions);
}

/**
 * Opens a {@link NodeTransport}: the TCP connect and, for implicit TLS, the handshake.
 * The transport keeps no clock: `signal` is the deadline (the client aborts it when its
 * connect timeout passes) and rejects with its reason. Every failure destroys the socket
 * and rejects with an `SmtpError` (`connection`, `tls`, `aborted`, or `invalid-input` for
 * options Node refuses). `target.connectTimeout` is not read. With `sessions`, an
 * implicit-TLS handshake (and a later STARTTLS one) offers the session kept there for the
 * same server and keeps the new one: {@link nodeConnector} passes its own cache.
 *
 * @since 0.1.0
 */
export function connectNode(
  target: ConnectTarget,
  options: NodeTransportOptions = {},
  signal?: AbortSignal,
  sessions?: TlsSessionCache,
): Promise<NodeTransport> {
  const peer: TransportPeer = { host: target.host, port: target.port };
  if (signal?.aborted) return Promise.reject(abortedError(signal.reason, peer));
  if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65_535) {
    return Promise.reject(invalidInput(`invalid port: ${target.port}`));
  }
  const tls = options.tls ?? {};
  const implicit = target.tls === "implicit";
  const tcp = {
    host: target.host,
    port: target.port,
    ...(options.family ? { family: options.family } : {}),
    ...(options.localAddress ? { localAddress: options.localAddress } : {}),
    ...(options.lookup ? { lookup: options.lookup } : {}),
  };
  // An implicit-TLS handshake offers the session of an earlier one to the same server.
  const name = tls.servername ?? target.host;
  const slot = implicit ? sessions?.slot(target.host, target.port, name) : undefined;
  let socket: Socket;
  try {
    socket = implicit
      ? keepSessions(tlsConnect({ ...tlsConnectOptions(tls, name, slot?.get()), ...tcp }), slot)
      : netConnect(tcp);
  } catch (error) {
    // Synchronous throws come from the options (an unreadable key, a bad CA, a bad address).
    const why = error instanceof Error ? error.message : String(error);
    return Promise.reject(
      invalidInput(
        `invalid connection options for ${target.host}:${target.port}: ${why}`,
        "invalid-input",
        error,
      ),
    );
  }
  const open = connected(socket, implicit, peer).then(
    () =>
      new NodeTransport({
        socket,
        host: target.host,
        port: target.port,
        secure: implicit,
        tls,
        maxReadBuffer: options.maxReadBuffer ?? NODE_TRANSPORT_DEFAULTS.maxReadBuffer,
        ...(sessions === undefined ? {} : { sessions }),
      }),
  );
  return raceSignal(open, signal, {
    peer,
    cancel: () => destroy(socket),
    discard: (transport) => transport.abort(),
  });
}

/** Resolves once `socket` is connected (and secure, for implicit TLS); else destroys it. */
function connected(socket: Socket, implicit: boolean, peer: TransportPeer): Promise<void> {
  return new Promise((resolve, reject) => {
    let tcpUp = false;
    const onConnect = (): void => {
      tcpUp = true;
      if (!implicit) succeed();
    };
    const onSecureConnect = (): void => succeed();
    const onError = (error: Error): void => {
      fail(toTransportError(error, NODE_ERRORS, peer, implicit && tcpUp ? "tls" : "connect"));
    };
    const onClose = (): void => {
      fail(
        new SmtpError({
          kind: "connection",
          message: `the connection to ${peer.host}:${peer.port} closed while connecting`,
          retryable: true,
        }),
      );
    };
    const cleanup = (): void => {
      socket.off("connect", onConnect);
      socket.off("secureConnect", onSecureConnect);
      socket.off("error", onError);
      socket.off("close", onClose);
    };
    const fail = (error: SmtpError): void => {
      cleanup();
      destroy(socket);
      reject(error);
    };
    const succeed = (): void => {
      cleanup();
      resolve();
    };
    socket.once("connect", onConnect);
    if (implicit) socket.once("secureConnect", onSecureConnect);
    socket.once("error", onError);
    socket.once("close", onClose);
  });
}

/** Destroys a socket whose late 'error' must not become an uncaught exception. */
function destroy(socket: Socket): void {
  socket.on("error", ignore);
  socket.once("close", () => socket.off("error", ignore));
  socket.destroy();
}
