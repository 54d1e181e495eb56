import type { ClientTlsOptions, Connector, Transport } from "@smtp/client";
import { connectNode, type NodeTlsInfo, type NodeTransport } from "@smtp/transport-node";

/** What the CLI learns of a connection's TLS layer, filled in as it happens. */
export interface TlsWatch {
  /** The last connection's TLS details, once it is TLS. */
  info: NodeTlsInfo | undefined;
}

/**
 * The CLI's connector: `@smtp/transport-node` on every runtime (Deno runs it through its
 * `node:net`/`node:tls`), so that `tlsInfo()` is there for `smtp probe` and `smtp record`
 * everywhere. The client's `tls` options are given to it here, since the client does not
 * apply them to a connector of the caller's.
 */
export function watchingConnector(tls: ClientTlsOptions | undefined, watch: TlsWatch): Connector {
  return async (target, signal) => {
    const transport = await connectNode(target, tls === undefined ? {} : { tls }, signal);
    if (transport.secure) watch.info = transport.tlsInfo();
    return watched(transport, watch);
  };
}

/** The transport as it is, with its TLS details read as soon as STARTTLS completes. */
function watched(transport: NodeTransport, watch: TlsWatch): Transport {
  return {
    read: () => transport.read(),
    write: (bytes) => transport.write(bytes),
    async startTls(options) {
      await transport.startTls(options);
      watch.info = transport.tlsInfo();
    },
    close: () => transport.close(),
    abort: (reason) => transport.abort(reason),
    get secure() {
      return transport.secure;
    },
    get localAddress() {
      return transport.localAddress;
    },
    get remoteAddress() {
      return transport.remoteAddress;
    },
  };
}
