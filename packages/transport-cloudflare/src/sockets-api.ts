/// <reference path="./globals.d.ts" />
import { SmtpError } from "@smtp/core";

/**
 * The members of `cloudflare:sockets` this package uses, declared locally so that it
 * builds with plain `tsc` and no Workers type package; the runtime's own `connect` (and a
 * service binding's `connect`) fit these shapes.
 */

/** What {@link CloudflareReader.read} gives: a chunk, or the end of the stream. @since 0.1.0 */
export type CloudflareReadResult =
  | {
      /** The stream has ended. */
      done: true;
      /** Nothing. */
      value?: undefined;
    }
  | {
      /** More may follow. */
      done: false;
      /** The bytes read. */
      value: Uint8Array;
    };

/** The streams' reader half the transport uses. @since 0.1.0 */
export interface CloudflareReader {
  /** The next chunk, or `done` at the end. */
  read(): Promise<CloudflareReadResult>;
  /** Gives the stream back (a pending read rejects). */
  releaseLock(): void;
}

/** The streams' writer half the transport uses. @since 0.1.0 */
export interface CloudflareWriter {
  /** Resolves once the chunk has been handed to the socket. */
  write(chunk: Uint8Array): Promise<void>;
  /** Ends the writing side (a FIN with `allowHalfOpen`). */
  close(): Promise<void>;
  /** Gives the stream back. */
  releaseLock(): void;
}

/** What `socket.opened` resolves with. @since 0.1.0 */
export interface CloudflareSocketInfo {
  /** `host:port` of the server, as the runtime saw it. */
  remoteAddress?: string;
  /** `host:port` of this end, when the runtime tells. */
  localAddress?: string;
}

/** A `Socket` of `cloudflare:sockets`. @since 0.1.0 */
export interface CloudflareSocket {
  /** Bytes from the server. */
  readonly readable: {
    /** Locks the stream to a reader. */
    getReader(): CloudflareReader;
  };
  /** Bytes to the server. */
  readonly writable: {
    /** Locks the stream to a writer. */
    getWriter(): CloudflareWriter;
  };
  /** Resolves once connected (and, after `startTls`, once the handshake is done). */
  readonly opened: Promise<CloudflareSocketInfo>;
  /** Settles once the socket is closed in both directions. */
  readonly closed: Promise<void>;
  /** Closes both directions at once. */
  close(): Promise<void>;
  /** Upgrades a socket opened with `secureTransport: "starttls"`; the old one is unusable after. */
  startTls(options?: {
    /** The name to verify the certificate against. Default: the host connected to. */
    expectedServerHostname?: string;
  }): CloudflareSocket;
}

/** Options of `connect()` used here. @since 0.1.0 */
export interface CloudflareSocketOptions {
  /** `off`, `on` (implicit TLS) or `starttls` (upgradable with `startTls()`). */
  secureTransport: "off" | "on" | "starttls";
  /** Whether the readable side may end while the writable one stays open. */
  allowHalfOpen: boolean;
}

/**
 * `connect()` of `cloudflare:sockets`, or the `connect` of a service binding (a `Fetcher`)
 * that should carry the connection instead.
 *
 * @since 0.1.0
 */
export type CloudflareConnect = (
  address: { hostname: string; port: number },
  options: CloudflareSocketOptions,
) => CloudflareSocket;

/** Loads `connect` from `cloudflare:sockets`: only inside workerd, only when first needed. */
export async function socketsConnect(): Promise<CloudflareConnect> {
  try {
    const sockets = (await import("cloudflare:sockets")) as { connect: CloudflareConnect };
    return sockets.connect;
  } catch (cause) {
    throw new SmtpError({
      kind: "connection",
      retryable: false,
      message:
        "@smtp/transport-cloudflare needs the Cloudflare Workers runtime (cloudflare:sockets); use @smtp/transport-node or @smtp/transport-deno elsewhere",
      cause,
    });
  }
}
