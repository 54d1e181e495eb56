/**
 * The two clients behind one small interface: @smtp/client (from the workspace sources)
 * and nodemailer, both pooled with 1 or 5 connections and their other defaults.
 */

import nodemailer from "nodemailer";
import type { ClientName } from "./config.ts";
import type { BenchDkim } from "./protocol.ts";
import { RawClient } from "./raw-client.ts";
import { loadClientModule } from "./smtp-modules.ts";

/** The signing domain and selector of the DKIM-signed cases. @since 0.1.0 */
export const DKIM_DOMAIN = "bench.test";
/** @since 0.1.0 */
export const DKIM_SELECTOR = "bench";

/** The message fields both clients accept under the same names. @since 0.1.0 */
export interface BenchMessage {
  from: string;
  to: string[];
  subject: string;
  text: string;
  attachments?: {
    filename: string;
    /** The bytes or a stream of them; or, instead, `path`: a file each client reads its way. */
    content?: Uint8Array | (AsyncIterable<Uint8Array> & NodeJS.ReadableStream);
    path?: string;
    contentType: string;
  }[];
}

/** A client under test. @since 0.1.0 */
export interface BenchClient {
  send(message: BenchMessage): Promise<void>;
  close(): Promise<void>;
}

/** Connections of a client variant. @since 0.1.0 */
export function connectionsOf(name: ClientName): number {
  return name.endsWith("5") ? 5 : 1;
}

/** The libraries compared: @smtp/client, nodemailer, and the raw client (the limit). @since 0.2.0 */
export type Library = "smtp" | "nodemailer" | "raw";

/** Which library a variant uses. @since 0.1.0 */
export function libraryOf(name: ClientName): Library {
  return name.startsWith("smtp") ? "smtp" : name.startsWith("raw") ? "raw" : "nodemailer";
}

/**
 * Opens the variant `name` against `127.0.0.1:port` (plain SMTP, no STARTTLS; AUTH only
 * when `auth` is given, for a real server that relays only after it), signing every message
 * with DKIM when `dkim` is given: @smtp with `spool` (used only for content it cannot read
 * twice), nodemailer with `cacheDir` (so that it does not hold the whole message in memory).
 *
 * @since 0.1.0
 */
export async function openClient(
  name: ClientName,
  port: number,
  options: {
    auth?: { user: string; pass: string } | undefined;
    dkim?: BenchDkim | undefined;
    /** Messages one connection keeps in flight (@smtp `pool.maxInFlight`, the raw client's window). */
    maxInFlight?: number | undefined;
  } = {},
): Promise<BenchClient> {
  const { auth, dkim } = options;
  const maxConnections = connectionsOf(name);
  const signing = { domainName: DKIM_DOMAIN, keySelector: DKIM_SELECTOR };
  if (libraryOf(name) === "raw") {
    if (dkim) throw new Error("the raw client does not sign");
    const raw = new RawClient({ host: "127.0.0.1", port, auth, window: options.maxInFlight });
    return { send: (message) => raw.send(message), close: () => raw.close() };
  }
  if (libraryOf(name) === "smtp") {
    const { createClient } = await loadClientModule();
    const client = createClient({
      host: "127.0.0.1",
      port,
      starttls: "never",
      pool: {
        maxConnections,
        ...(options.maxInFlight === undefined ? {} : { maxInFlight: options.maxInFlight }),
        // Diagnostic: messages per connection (default 100, as nodemailer's; the raw client's 1000).
        ...(process.env.BENCH_SMTP_MAX_MESSAGES
          ? { maxMessages: Number(process.env.BENCH_SMTP_MAX_MESSAGES) }
          : {}),
      },
      ...(dkim ? { dkim: { ...signing, privateKey: dkim.privateKey, spool: dkim.spool } } : {}),
      ...(auth === undefined ? {} : { auth }),
    });
    return {
      async send(message) {
        await client.send(message);
      },
      close: () => client.close(),
    };
  }
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections,
    ...(dkim ? { dkim: { ...signing, privateKey: dkim.privateKey, cacheDir: dkim.spool } } : {}),
    ...(auth === undefined ? {} : { auth }),
  });
  return {
    async send(message) {
      await transport.sendMail(message as Parameters<typeof transport.sendMail>[0]);
    },
    async close() {
      transport.close();
    },
  };
}
