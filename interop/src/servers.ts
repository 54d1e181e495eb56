/**
 * The servers of the matrix, built from the env files their set-up scripts wrote: where to
 * connect, which addresses mean what, and where each server stores what it accepted.
 */
import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type PeerEnv, readEnvFile, required, requiredNumber } from "./env-file.ts";
import { captureStore } from "./store/capture-store.ts";
import { maildirStore } from "./store/maildir-store.ts";
import type { MessageStore } from "./store/message-store.ts";

/** The servers, in table order. @since 0.1.0 */
export const SERVER_IDS = [
  "postfix",
  "exim",
  "opensmtpd",
  "haraka",
  "smtp-server",
  "dovecot-lmtp",
] as const;

/** @since 0.1.0 */
export type ServerId = (typeof SERVER_IDS)[number];

/** Everything a cell needs to know about one running server. @since 0.1.0 */
export interface ServerProfile {
  id: ServerId;
  /** Name and version, for the table. */
  label: string;
  protocol: "smtp" | "lmtp";
  host: string;
  /** The CA that issued the server's certificate (PEM). */
  caPem: string;
  /** A port for sessions without TLS (STARTTLS may be offered there, and is then not used). */
  plainPort: number;
  /** A port offering STARTTLS. */
  starttlsPort: number | undefined;
  /** A port with TLS from the first byte. */
  implicitPort: number | undefined;
  /** Whether the implicit-TLS port wants AUTH before it takes mail. */
  implicitNeedsAuth: boolean;
  user: string;
  pass: string;
  /** An XOAUTH2 access token the server accepts, when it checks tokens. */
  accessToken: string | undefined;
  /** The SIZE limit the set-up configured (octets). */
  sizeLimit: number;
  /** A mailbox that takes mail without AUTH. */
  mailbox: string;
  /** A second mailbox (LMTP: a second recipient of one message). */
  secondMailbox: string;
  /** A local user that does not exist. */
  unknownUser: string;
  /** An address in a domain the server relays to only after AUTH. */
  relayAddress: string;
  /** A recipient with a non-ASCII local part that the server delivers when it offers SMTPUTF8. */
  utf8Recipient: string;
  store: MessageStore;
  /** Where the server logs, for failure reasons. */
  log: string | undefined;
}

/** A server whose settings could not be read: it was not set up. @since 0.1.0 */
export interface MissingServer {
  id: ServerId;
  reason: string;
}

/** Where the env files are. @since 0.1.0 */
export interface StateFolders {
  /** `$SMTP_STATE` (Postfix's env file and TLS files). */
  smtpState: string;
  /** `$INTEROP_STATE`, one sub-folder per other peer. */
  interopState: string;
}

const DOMAIN = "example.test";
const COMMON = {
  mailbox: `user@${DOMAIN}`,
  secondMailbox: `sink@${DOMAIN}`,
  unknownUser: `no-such-user@${DOMAIN}`,
  relayAddress: "someone@elsewhere.test",
  utf8Recipient: "ünïcødé@catchall.test",
};

function postfixVersion(): string {
  try {
    return execFileSync("postconf", ["-h", "mail_version"], { encoding: "utf8" }).trim();
  } catch {
    return "?";
  }
}

/**
 * A profile from an interop peer's env file, whose keys all start with `prefix`: `_HOST`,
 * `_CA`, `_PORT` (plaintext and STARTTLS), `_SMTPS_PORT`, `_USER`, `_PASS`, `_SIZE_LIMIT`,
 * `_VERSION`, `_LOG`. `rest` adds what differs between peers.
 */
async function peerProfile(
  id: ServerId,
  name: string,
  prefix: string,
  env: PeerEnv,
  rest: Pick<ServerProfile, "implicitNeedsAuth" | "accessToken" | "store"> & Partial<ServerProfile>,
): Promise<ServerProfile> {
  const port = requiredNumber(env, `${prefix}_PORT`);
  return {
    id,
    label: `${name} ${required(env, `${prefix}_VERSION`)}`,
    protocol: "smtp",
    host: required(env, `${prefix}_HOST`),
    caPem: await readFile(required(env, `${prefix}_CA`), "utf8"),
    plainPort: port,
    starttlsPort: port,
    implicitPort: requiredNumber(env, `${prefix}_SMTPS_PORT`),
    user: required(env, `${prefix}_USER`),
    pass: required(env, `${prefix}_PASS`),
    sizeLimit: requiredNumber(env, `${prefix}_SIZE_LIMIT`),
    ...COMMON,
    log: env.get(`${prefix}_LOG`),
    ...rest,
  };
}

async function build(id: ServerId, env: PeerEnv): Promise<ServerProfile> {
  switch (id) {
    case "postfix": {
      const maildir = required(env, "SMTP_MAILDIR");
      return {
        id,
        label: `Postfix ${postfixVersion()}`,
        protocol: "smtp",
        host: required(env, "SMTP_HOST"),
        caPem: await readFile(required(env, "SMTP_CA"), "utf8"),
        plainPort: requiredNumber(env, "SMTP_PLAIN_PORT"),
        starttlsPort: requiredNumber(env, "SMTP_PORT"),
        implicitPort: requiredNumber(env, "SMTPS_PORT"),
        implicitNeedsAuth: true,
        user: required(env, "SMTP_USER"),
        pass: required(env, "SMTP_PASS"),
        accessToken: undefined,
        sizeLimit: requiredNumber(env, "SMTP_SIZE_LIMIT"),
        ...COMMON,
        store: maildirStore([
          join(maildir, DOMAIN, "user"),
          join(maildir, DOMAIN, "sink"),
          join(maildir, "catchall.test", "all"),
        ]),
        log: env.get("SMTP_LOG"),
      };
    }
    case "exim":
    case "opensmtpd": {
      const p = id === "exim" ? "EXIM" : "OSMTPD";
      const maildir = required(env, `${p}_MAILDIR`);
      const folders = ["user", "sink"].map((box) => join(maildir, box));
      if (id === "exim") folders.push(join(maildir, "catchall"));
      return peerProfile(id, id === "exim" ? "Exim" : "OpenSMTPD", p, env, {
        implicitNeedsAuth: id === "opensmtpd",
        accessToken: undefined,
        store: maildirStore(folders),
        // OpenSMTPD has no catch-all domain; without SMTPUTF8 the address is refused anyway.
        ...(id === "opensmtpd" ? { utf8Recipient: `ünïcødé@${DOMAIN}` } : {}),
      });
    }
    case "haraka":
    case "smtp-server": {
      const p = id === "haraka" ? "HARAKA" : "SMTPSERVER";
      return peerProfile(id, id === "haraka" ? "Haraka" : "smtp-server", p, env, {
        implicitNeedsAuth: false,
        // The smtp-server peer checks XOAUTH2 tokens (@smtp-internal/test-peer's TEST_ACCESS_TOKEN).
        accessToken: id === "smtp-server" ? "test-access-token-0123456789" : undefined,
        store: captureStore(required(env, `${p}_CAPTURE`)),
      });
    }
    case "dovecot-lmtp": {
      const maildir = required(env, "LMTP_MAILDIR");
      return {
        id,
        label: `Dovecot LMTP ${required(env, "LMTP_VERSION")}`,
        protocol: "lmtp",
        host: required(env, "LMTP_HOST"),
        caPem: "",
        plainPort: requiredNumber(env, "LMTP_PORT"),
        starttlsPort: undefined,
        implicitPort: undefined,
        implicitNeedsAuth: false,
        user: "",
        pass: "",
        accessToken: undefined,
        sizeLimit: 0,
        ...COMMON,
        secondMailbox: `other@${DOMAIN}`,
        store: maildirStore([join(maildir, "user"), join(maildir, "other")]),
        log: env.get("LMTP_LOG"),
      };
    }
  }
}

/** The env file each server's set-up script writes. @since 0.1.0 */
export function envFileOf(id: ServerId, folders: StateFolders): string {
  return id === "postfix" ? join(folders.smtpState, "env") : join(folders.interopState, id, "env");
}

/**
 * Reads the settings of the servers in `ids`: a profile for each one set up, a
 * {@link MissingServer} for each one whose env file is absent or incomplete.
 *
 * @since 0.1.0
 */
export async function loadServers(
  ids: readonly ServerId[],
  folders: StateFolders,
): Promise<(ServerProfile | MissingServer)[]> {
  const servers: (ServerProfile | MissingServer)[] = [];
  for (const id of ids) {
    const file = envFileOf(id, folders);
    const env = await readEnvFile(file);
    if (env === undefined) {
      servers.push({ id, reason: `not set up (no ${file})` });
      continue;
    }
    try {
      servers.push(await build(id, env));
    } catch (error) {
      servers.push({ id, reason: `${file}: ${(error as Error).message}` });
    }
  }
  return servers;
}
