/**
 * TLS sessions kept for resumption: one per server, from the latest connection that got
 * one (a TLS 1.3 ticket, or a TLS 1.2 session id or ticket, as Node hands it over in
 * `session` events). A connector's connections share one cache, so a recycled or extra
 * connection to the same server resumes instead of making a full handshake. Its
 * certificate is still checked: Node verifies the certificate the session carries against
 * the name, as for a full handshake.
 */

import type { TLSSocket } from "node:tls";

/** Sessions kept at most (one per server name and port); the oldest goes first. */
const MAX_SESSIONS = 32;

/** One server's slot in a {@link TlsSessionCache}: the session to offer, and where to keep a new one. @since 0.2.0 */
export interface TlsSessionSlot {
  /** The session to offer in the next handshake, if any. */
  get(): Uint8Array | undefined;
  /** Keeps the session a handshake produced (the latest wins). */
  set(session: Uint8Array): void;
}

/**
 * The sessions of one connector, by server.
 *
 * @since 0.2.0
 */
export class TlsSessionCache {
  readonly #sessions = new Map<string, Uint8Array>();

  /**
   * The slot of `host`:`port` checked as `servername`: a session is offered only to the
   * server, port and certificate name it came from.
   */
  slot(host: string, port: number, servername: string): TlsSessionSlot {
    const key = `${servername}\u0000${host}\u0000${port}`;
    return {
      get: () => this.#sessions.get(key),
      set: (session) => {
        this.#sessions.delete(key);
        this.#sessions.set(key, session);
        if (this.#sessions.size > MAX_SESSIONS) {
          const oldest = this.#sessions.keys().next().value as string;
          this.#sessions.delete(oldest);
        }
      },
    };
  }

  /** How many servers have a session kept. */
  get size(): number {
    return this.#sessions.size;
  }
}

/**
 * Keeps every session `socket` receives in `slot` (TLS 1.3 tickets come after the
 * handshake, maybe several: the latest wins); returns the socket.
 *
 * @since 0.2.0
 */
export function keepSessions<S extends TLSSocket>(socket: S, slot: TlsSessionSlot | undefined): S {
  if (slot !== undefined) socket.on("session", (session: Uint8Array) => slot.set(session));
  return socket;
}
