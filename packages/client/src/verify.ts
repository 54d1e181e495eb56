import type { Capabilities } from "@smtp/core";
import { SmtpError } from "@smtp/core/base";
import type { Connector } from "@smtp/core/transport-kit";
import { Connection, type SessionFactory } from "./connection.ts";
import type { ResolvedOptions } from "./resolve-options.ts";

/**
 * One connection that stops after the session is ready (EHLO, STARTTLS, AUTH): the work of
 * `verify()`. Resolves with the server's capabilities, rejects with why it never got ready.
 *
 * @since 0.1.0
 */
export async function verifyConnection(
  options: ResolvedOptions,
  connector: Promise<Connector>,
  signal: AbortSignal | undefined,
  sessionFactory: SessionFactory | undefined,
): Promise<Capabilities> {
  const connection = new Connection(
    options,
    connector,
    {
      ready: (c) => c.quit(),
      result: () => {},
      closed: () => {},
    },
    sessionFactory,
  );
  const onAbort = () => connection.abort(undefined, signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const info = await connection.closed;
    if (connection.everReady && connection.capabilities) return connection.capabilities;
    throw (
      info.error ?? new SmtpError({ kind: "connection", message: "the connection closed early" })
    );
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}
