/**
 * The two clients behind one small interface: @smtp/client (from the workspace sources)
 * and nodemailer, both pooled with 1 or 5 connections and their other defaults.
 */

import nodemailer from "nodemailer";
import { createClient } from "../packages/client/src/index.ts";
import type { ClientName } from "./config.ts";

/** The message fields both clients accept under the same names. @since 0.1.0 */
export interface BenchMessage {
  from: string;
  to: string[];
  subject: string;
  text: string;
  attachments?: {
    filename: string;
    content: Uint8Array | (AsyncIterable<Uint8Array> & NodeJS.ReadableStream);
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

/** Which library a variant uses. @since 0.1.0 */
export function libraryOf(name: ClientName): "smtp" | "nodemailer" {
  return name.startsWith("smtp") ? "smtp" : "nodemailer";
}

/**
 * Opens the variant `name` against `127.0.0.1:port` (plain SMTP, no STARTTLS; AUTH only
 * when `auth` is given, for a real server that relays only after it).
 *
 * @since 0.1.0
 */
export function openClient(
  name: ClientName,
  port: number,
  auth?: { user: string; pass: string },
): BenchClient {
  const maxConnections = connectionsOf(name);
  if (libraryOf(name) === "smtp") {
    const client = createClient({
      host: "127.0.0.1",
      port,
      starttls: "never",
      pool: { maxConnections },
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
