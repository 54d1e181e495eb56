import { readFile } from "node:fs/promises";
import type {
  AuthMethod,
  ClientOptions,
  ClientTlsOptions,
  ClientTranscriptEntry,
} from "@smtp/client";
import { SmtpError, serverOf } from "@smtp/client";
import { type Command, Option } from "commander";
import { type TlsWatch, watchingConnector } from "./connector.ts";
import { parseHostPort, parsePort } from "./host-port.ts";
import type { CliIo } from "./io.ts";
import { askFor, askSecret } from "./prompts.ts";
import { readSecretFromStdin } from "./stdin.ts";

/** The connection flags as commander parses them. */
export interface ConnectionFlags {
  server?: string;
  service?: string;
  port?: string;
  tls?: boolean;
  starttls?: boolean;
  ca?: string;
  servername?: string;
  verify?: boolean;
  user?: string;
  passwordStdin?: boolean;
  authMethod?: string;
  allowInsecureAuth?: boolean;
  ehlo?: string;
  timeout?: string;
  connectTimeout?: string;
  debug?: boolean;
}

const AUTH_METHODS = ["PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-256"];

/** The TLS and diagnostics flags every command that connects takes. */
export function addTlsFlags(command: Command): Command {
  return command
    .addOption(new Option("--tls", "implicit TLS from the first byte (default on port 465)"))
    .addOption(
      new Option("--starttls", "plaintext, then STARTTLS, required (default on other ports)"),
    )
    .addOption(new Option("--no-tls", "no TLS at all: never STARTTLS (only for test servers)"))
    .option("--ca <file>", "trust this CA certificate (PEM) instead of the system's")
    .option("--servername <name>", "the name to verify the certificate against (default: host)")
    .option("--no-verify", "do not verify the server's certificate (test servers only)")
    .option("--ehlo <name>", "the EHLO name (default: this machine's name, or its address)")
    .option("--timeout <ms>", "deadline of each command's reply, in milliseconds", "60000")
    .option("--connect-timeout <ms>", "deadline of the connection and greeting, in milliseconds")
    .option("--debug", "print the conversation to stderr (credentials redacted)");
}

/** Where to connect and as whom: `send`, `record` and `bulk`. */
export function addConnectionFlags(command: Command): Command {
  command
    .option(
      "-s, --server <host[:port]|url>",
      "the server: host, host:port, or smtp:// / smtps:// URL (default $SMTP_URL)",
    )
    .option("--service <name>", "a well-known provider: gmail, outlook, office365, ses, …")
    .option("-p, --port <port>", "the port (default 587, or 465 with --tls)");
  addTlsFlags(command);
  return command
    .option(
      "-u, --user <name>",
      "log in as this user (AUTH); the password comes from $SMTP_PASS, --password-stdin or a prompt",
    )
    .option("--password-stdin", "read the password from the first line of standard input")
    .addOption(
      new Option("--auth-method <mechanism>", "force this AUTH mechanism").choices(AUTH_METHODS),
    )
    .option("--allow-insecure-auth", "allow AUTH without TLS to a host that is not loopback");
}

function invalid(message: string): SmtpError {
  return new SmtpError({ kind: "invalid-input", message, retryable: false });
}

function milliseconds(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,10}$/.test(text) || Number(text) === 0) {
    throw invalid(`${flag} must be a positive number of milliseconds`);
  }
  return Number(text);
}

/** The TLS mode the flags ask for; none of them leaves it to the port. */
function tlsMode(flags: ConnectionFlags): Pick<ClientOptions, "secure" | "starttls"> {
  const chosen = [flags.tls === true, flags.starttls === true, flags.tls === false].filter(Boolean);
  if (chosen.length > 1) throw invalid("give at most one of --tls, --starttls and --no-tls");
  if (flags.tls === true) return { secure: true };
  if (flags.starttls === true) return { secure: false, starttls: "required" };
  if (flags.tls === false) return { secure: false, starttls: "never" };
  return {};
}

/** The `tls` options from `--ca`, `--servername` and `--no-verify`. */
export async function tlsOptions(flags: ConnectionFlags): Promise<ClientTlsOptions | undefined> {
  const tls: ClientTlsOptions = {};
  if (flags.ca !== undefined) {
    try {
      tls.ca = await readFile(flags.ca, "utf8");
    } catch (error) {
      throw new SmtpError({
        kind: "invalid-input",
        message: `--ca: cannot read ${JSON.stringify(flags.ca)} (${(error as { code?: string }).code ?? error})`,
        retryable: false,
      });
    }
  }
  if (flags.servername !== undefined) tls.servername = flags.servername;
  if (flags.verify === false) tls.rejectUnauthorized = false;
  return Object.keys(tls).length === 0 ? undefined : tls;
}

/** The common part: TLS mode and options, EHLO name, deadlines, the watching connector. */
export async function baseOptions(
  flags: ConnectionFlags,
  io: CliIo,
  watch: TlsWatch,
  probing = false,
): Promise<ClientOptions> {
  const tls = await tlsOptions(flags);
  // A probe shows a certificate that does not verify instead of failing on it: it sends
  // no credentials and no message, and reports whether the chain verifies.
  const connectTls = probing ? { ...tls, rejectUnauthorized: false } : tls;
  const command = milliseconds(flags.timeout, "--timeout");
  const connect = milliseconds(flags.connectTimeout, "--connect-timeout");
  const options: ClientOptions = {
    ...tlsMode(flags),
    ...(tls === undefined ? {} : { tls }),
    ...(flags.ehlo === undefined ? {} : { name: flags.ehlo }),
    timeouts: {
      ...(command === undefined ? {} : { command }),
      ...(connect === undefined ? {} : { connect, greeting: connect }),
    },
    transport: watchingConnector(connectTls, watch),
  };
  if (flags.debug) options.transcript = debugPrinter(io);
  return options;
}

/** `--debug`: each line of the conversation on stderr, credentials already redacted. */
export function debugPrinter(io: CliIo): (entry: ClientTranscriptEntry) => void {
  return (entry) => {
    const prefix = entry.connection > 1 ? `[${entry.connection}] ` : "";
    io.stderr.write(
      `${prefix}${entry.direction === "*" ? "*" : `${entry.direction}:`} ${entry.text}\n`,
    );
  };
}

/** What a connection URL says about its user and password. */
function urlCredentials(url: string): { user?: string; password?: string } {
  const start = url.indexOf("://") + 3;
  const end = url.slice(start).search(/[/?#]/);
  const authority = end < 0 ? url.slice(start) : url.slice(start, start + end);
  // The last "@" ends the user information, as the client reads it.
  const at = authority.lastIndexOf("@");
  if (at < 0) return {};
  const userinfo = authority.slice(0, at);
  const colon = userinfo.indexOf(":");
  const decode = (text: string): string => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text; // the client refuses it with a precise message
    }
  };
  const user = decode(colon < 0 ? userinfo : userinfo.slice(0, colon));
  return colon < 0 ? { user } : { user, password: decode(userinfo.slice(colon + 1)) };
}

/** The resolved connection of `send`, `record` and `bulk`. */
export interface Connection {
  options: ClientOptions;
  /** `host:port (mode)`, for messages. */
  describe: string;
  /** The user logged in as, if any. */
  user: string | undefined;
  /** The password (kept to check a recording holds none of it). */
  password: string | undefined;
}

/**
 * Client options from the flags: the server from `--server`, `$SMTP_URL` or a prompt; the
 * password from `$SMTP_PASS`, `--password-stdin` or a hidden prompt, never from a flag.
 */
export async function resolveConnection(
  flags: ConnectionFlags,
  io: CliIo,
  watch: TlsWatch,
): Promise<Connection> {
  const options = await baseOptions(flags, io, watch);
  let server = flags.server;
  let fromEnv = false;
  if (server === undefined && flags.service === undefined && io.env.SMTP_URL) {
    server = io.env.SMTP_URL;
    fromEnv = true;
  }
  if (server === undefined && flags.service === undefined) {
    server = await askFor(io, {
      message: "SMTP server (host, host:port or URL)",
      flag: "--server or $SMTP_URL",
      placeholder: "smtp.example.com:587",
    });
  }
  let urlUser: string | undefined;
  let urlPassword: string | undefined;
  if (server?.includes("://")) {
    const credentials = urlCredentials(server);
    if (credentials.password !== undefined && !fromEnv) {
      throw invalid(
        "--server: a password in a flag shows in the process list and shell history; put it in $SMTP_PASS (or $SMTP_URL), or use --password-stdin",
      );
    }
    urlUser = credentials.user;
    urlPassword = credentials.password;
    options.url = server;
  } else if (server !== undefined) {
    const { host, port } = parseHostPort(server, "--server");
    options.host = host;
    if (port !== undefined) options.port = port;
  }
  if (flags.service !== undefined) options.service = flags.service;
  if (flags.port !== undefined) options.port = parsePort(flags.port);
  if (flags.allowInsecureAuth) options.allowInsecureAuth = true;

  const user = flags.user ?? urlUser;
  let password: string | undefined;
  if (user !== undefined) {
    // The URL's own password, when it is for this user ($SMTP_URL only).
    password =
      urlPassword !== undefined && user === urlUser
        ? urlPassword
        : await passwordFor(flags, io, user);
    options.auth = {
      user,
      pass: password,
      ...(flags.authMethod === undefined ? {} : { method: flags.authMethod as AuthMethod }),
    };
  }
  const where = serverOf(options);
  const mode = where.secure ? "implicit TLS" : options.starttls === "never" ? "no TLS" : "STARTTLS";
  return {
    options,
    describe: `${where.host.includes(":") ? `[${where.host}]` : where.host}:${where.port} (${mode})`,
    user,
    password,
  };
}

async function passwordFor(flags: ConnectionFlags, io: CliIo, user: string): Promise<string> {
  if (flags.passwordStdin) return readSecretFromStdin(io);
  const fromEnv = io.env.SMTP_PASS;
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  return askSecret(io, `Password for ${user}`, "--password-stdin or $SMTP_PASS");
}
