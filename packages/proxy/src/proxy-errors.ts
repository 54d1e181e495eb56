import type { SmtpErrorDetail } from "@smtp/core";
import { SmtpError } from "@smtp/core/base";
import { peerName, type TransportPeer } from "@smtp/core/transport-kit";

/** The proxy as error messages name it: `the SOCKS5 proxy 127.0.0.1:1080`, never with credentials. */
export interface ProxyLabel extends TransportPeer {
  /** `SOCKS5` or `HTTP`. */
  readonly kind: "SOCKS5" | "HTTP";
}

/** `the SOCKS5 proxy 127.0.0.1:1080`. */
export function describeProxy(proxy: ProxyLabel): string {
  return `the ${proxy.kind} proxy ${peerName(proxy)}`;
}

/**
 * A failure of the proxy itself: kind `connection` with `detail` `proxy-auth` (the
 * credentials were refused or missing), `proxy-refused` (no tunnel was opened) or
 * `proxy-unreachable` (the proxy could not be reached).
 */
export function proxyError(
  detail: Extract<SmtpErrorDetail, `proxy-${string}`>,
  message: string,
  retryable: boolean,
  cause?: unknown,
): SmtpError {
  return new SmtpError({
    kind: "connection",
    detail,
    message,
    retryable,
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * An error of the connection through the tunnel, restated so that it names the mail
 * server and the proxy it went through (the transport under the tunnel only knows the
 * proxy). Kind, detail, phase and retryability are kept; the original is the `cause`.
 */
export function throughProxy(error: unknown, target: TransportPeer, proxy: ProxyLabel): unknown {
  if (!(error instanceof SmtpError) || error.kind === "aborted" || error.kind === "timeout") {
    return error;
  }
  return new SmtpError({
    kind: error.kind,
    message: `${peerName(target)} through ${describeProxy(proxy)}: ${error.message}`,
    retryable: error.retryable,
    ...(error.detail === undefined ? {} : { detail: error.detail }),
    ...(error.command === undefined ? {} : { command: error.command }),
    cause: error,
  });
}
