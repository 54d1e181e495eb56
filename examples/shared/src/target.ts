import { readFileSync } from "node:fs";
import type { ClientOptions } from "@smtp/client";
import { startSmtpServerPeer } from "@smtp-internal/test-peer";

/** Where to send: the server from the environment, or an embedded test server. */
export interface Target {
  options: ClientOptions;
  from: string;
  to: string;
  /** Stops the embedded server, if one was started. */
  stop(): Promise<void>;
}

/**
 * Reads the server from `MAIL_HOST`, `MAIL_PORT`, `MAIL_SECURE`, `MAIL_USER`, `MAIL_PASS`,
 * `MAIL_CA_FILE`, `MAIL_FROM` and `MAIL_TO`. Without `MAIL_HOST`, starts an embedded
 * smtp-server (STARTTLS, AUTH, a throwaway CA) so the example runs standalone.
 */
export async function target(): Promise<Target> {
  const env = process.env;
  if (env.MAIL_HOST) {
    const options: ClientOptions = { host: env.MAIL_HOST };
    if (env.MAIL_PORT) options.port = Number(env.MAIL_PORT);
    if (env.MAIL_SECURE === "true") options.secure = true;
    if (env.MAIL_USER && env.MAIL_PASS) options.auth = { user: env.MAIL_USER, pass: env.MAIL_PASS };
    if (env.MAIL_CA_FILE) options.tls = { ca: readFileSync(env.MAIL_CA_FILE, "utf8") };
    return {
      options,
      from: env.MAIL_FROM ?? env.MAIL_USER ?? "sender@example.test",
      to: env.MAIL_TO ?? "recipient@example.test",
      stop: async () => {},
    };
  }
  const server = await startSmtpServerPeer({ host: "127.0.0.1", tls: "starttls" });
  console.log(`(no MAIL_HOST: using an embedded SMTP server on port ${server.port})`);
  return {
    options: {
      host: server.host,
      port: server.port,
      starttls: "required",
      tls: { ca: server.ca.caPem },
      auth: { user: "user@example.test", pass: "password" },
    },
    from: "user@example.test",
    to: "recipient@example.test",
    stop: () => server.close(),
  };
}
