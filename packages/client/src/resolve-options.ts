import type { AuthMethod, Credentials, StartTlsPolicy } from "@smtp/core";
import { AUTH_METHODS, credentialsKindOf, invalidInput, isValidEhloName } from "@smtp/core/base";
import type { Connector } from "@smtp/core/transport-kit";
import type { ProxyWrapper } from "@smtp/proxy";
import { checkProxyUrl } from "@smtp/proxy/url";
import { checkKeys } from "./check-keys.ts";
import { expandConnectionOptions } from "./connection-url.ts";
import { type ResolvedDkim, resolveDkim } from "./dkim.ts";
import { CLIENT_OPTION_KEYS } from "./known-keys.ts";
import { isIpAddress, isLoopbackHost } from "./loopback.ts";
import type {
  AccessTokenProvider,
  ClientOptions,
  ClientTlsOptions,
  ClientTranscriptEntry,
} from "./options.ts";

/** Resolved pool settings; `maxMessages: 1` and `idleTimeout: 0` when pooling is off. @since 0.1.0 */
export interface PoolSettings {
  pooled: boolean;
  maxConnections: number;
  maxMessages: number;
  /** Messages in flight per connection at most (CHUNKING servers; at most 4 without). */
  maxInFlight: number;
  /** Octets in flight per connection at most (a first message always goes). */
  maxInFlightBytes: number;
  idleTimeout: number;
  noopAfterIdle: number;
  rateLimit: { messages: number; interval: number } | undefined;
}

/** Credentials, with an access token possibly still to be fetched. @since 0.1.0 */
export type ResolvedAuth =
  | Credentials
  | { user: string; accessTokenProvider: AccessTokenProvider; method?: AuthMethod };

/** The `proxy` option checked: where the proxy is, and how it wraps the connector. @since 0.1.0 */
export interface ResolvedProxy {
  host: string;
  wrap(connector: Connector): Connector | Promise<Connector>;
}

/** {@link ClientOptions} validated, with every default applied. @since 0.1.0 */
export interface ResolvedOptions {
  host: string;
  port: number;
  secure: boolean;
  starttls: StartTlsPolicy;
  loopback: boolean;
  servername: string;
  tls: ClientTlsOptions | undefined;
  auth: ResolvedAuth | undefined;
  allowInsecureAuth: boolean;
  lmtp: boolean;
  name: string | undefined;
  timeouts: { connect: number; greeting: number; command: number; data: number };
  pool: PoolSettings;
  transport: Connector | undefined;
  /** Every connection goes through this proxy. */
  proxy: ResolvedProxy | undefined;
  transcript: ((entry: ClientTranscriptEntry) => void) | undefined;
  /** DKIM signing of every message, unless a send says otherwise. */
  dkim: ResolvedDkim | undefined;
  /** Numbers the client's connections for transcripts. */
  connectionCounter: { count: number };
}

/** The mechanisms that carry an OAuth 2 access token rather than a password (from core's registry). */
const TOKEN_METHODS: readonly AuthMethod[] = AUTH_METHODS.filter(
  (m) => credentialsKindOf(m) === "token",
);
const STARTTLS: readonly StartTlsPolicy[] = ["required", "opportunistic", "never"];

/**
 * The longest delay a timer can hold: Node, Deno and Bun fire a longer one after 1 ms, which
 * would turn a generous timeout into an instant one.
 */
const MAX_TIMER_MS = 2 ** 31 - 1;

function positive(value: unknown, field: string, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== "number" ||
    !Number.isFinite(value) ||
    value < 0 ||
    value > MAX_TIMER_MS ||
    (!allowZero && value === 0)
  ) {
    throw invalidInput(
      `${field} must be a ${allowZero ? "non-negative" : "positive"} number of milliseconds, at most ${MAX_TIMER_MS} (about 24.8 days)`,
    );
  }
  return value;
}

function positiveInteger(value: unknown, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(Number.isInteger(value) || value === Infinity) || value < 1) {
    throw invalidInput(`${field} must be a positive integer`);
  }
  return value;
}

function resolveRateLimit(value: unknown): PoolSettings["rateLimit"] {
  if (value === undefined) return undefined;
  if (typeof value !== "object" || value === null) {
    throw invalidInput("pool.rateLimit must be { messages, interval }");
  }
  const r = value as Record<string, unknown>;
  return {
    messages: positiveInteger(r.messages, "pool.rateLimit.messages", 1),
    interval: positive(r.interval, "pool.rateLimit.interval", 1_000),
  };
}

function cleanString(value: unknown, field: string): string {
  // CR, LF and NUL could end a command line early: refuse them everywhere (R2).
  if (typeof value !== "string" || value.length === 0 || /[\r\n\0]/.test(value)) {
    throw invalidInput(`${field} must be a non-empty string without CR, LF or NUL`);
  }
  return value;
}

function resolveAuth(auth: unknown): ResolvedAuth | undefined {
  if (auth === undefined) return undefined;
  if (typeof auth !== "object" || auth === null) throw invalidInput("auth must be an object");
  const a = auth as Record<string, unknown>;
  const user = cleanString(a.user, "auth.user");
  const method = a.method;
  if (method !== undefined && !(AUTH_METHODS as readonly unknown[]).includes(method)) {
    throw invalidInput(`auth.method must be one of ${AUTH_METHODS.join(", ")}`);
  }
  const m = method === undefined ? {} : { method: method as AuthMethod };
  const hasToken = a.accessToken !== undefined;
  if (m.method !== undefined && (credentialsKindOf(m.method) === "token") !== hasToken) {
    throw invalidInput(
      hasToken
        ? `auth.method ${m.method} takes a password (auth.pass), not auth.accessToken: use ${TOKEN_METHODS.join(" or ")}, or leave auth.method unset`
        : `auth.method ${m.method} takes an OAuth 2 access token (auth.accessToken), not auth.pass`,
    );
  }
  if (typeof a.accessToken === "function") {
    return { user, accessTokenProvider: a.accessToken as AccessTokenProvider, ...m };
  }
  if (typeof a.accessToken === "string") {
    return { user, accessToken: cleanString(a.accessToken, "auth.accessToken"), ...m };
  }
  if (typeof a.pass === "string") {
    // The password can hold any character but the line breaks and NUL that SASL cannot carry.
    if (/[\r\n\0]/.test(a.pass)) throw invalidInput("auth.pass must not contain CR, LF or NUL");
    return { user, pass: a.pass, ...m };
  }
  throw invalidInput("auth needs either pass or accessToken");
}

function resolveProxy(proxy: unknown): ResolvedProxy | undefined {
  if (proxy === undefined) return undefined;
  if (typeof proxy === "string") {
    // Checked in full now; the proxy's code is loaded for the first connection only.
    const { host } = checkProxyUrl(proxy);
    return {
      host,
      wrap: async (connector) => (await import("@smtp/proxy")).proxyFromUrl(proxy)(connector),
    };
  }
  const wrapper = proxy as Partial<ProxyWrapper>;
  if (typeof proxy !== "function" || typeof wrapper.host !== "string") {
    throw invalidInput(
      'proxy must be a URL ("socks5://host:1080", "http://host:3128") or a proxy from @smtp/proxy',
    );
  }
  return { host: wrapper.host as string, wrap: proxy as ProxyWrapper };
}

/**
 * Validates {@link ClientOptions} and applies the defaults. Throws `SmtpError` with
 * kind `"invalid-input"` naming the first bad field; never opens a connection.
 *
 * @since 0.1.0
 */
export function resolveOptions(given: ClientOptions | string): ResolvedOptions {
  const options = expandConnectionOptions(given);
  if (typeof options !== "object" || options === null)
    throw invalidInput("options must be an object");
  checkKeys(options, CLIENT_OPTION_KEYS, "option");
  const host = cleanString(options.host, "host");
  if (/\s/.test(host)) throw invalidInput("host must not contain white space");
  const bareHost = host.replace(/^\[(.*)\]$/, "$1");

  if (options.secure !== undefined && typeof options.secure !== "boolean") {
    throw invalidInput("secure must be a boolean");
  }
  const port = options.port ?? (options.secure ? 465 : 587);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw invalidInput("port must be an integer from 1 to 65535");
  }
  const secure = options.secure ?? port === 465;
  const proxy = resolveProxy(options.proxy);
  // Through a proxy the bytes cross the network to it first: loopback only if it is too.
  const loopback = isLoopbackHost(bareHost) && (proxy === undefined || isLoopbackHost(proxy.host));

  if (options.starttls !== undefined && !STARTTLS.includes(options.starttls)) {
    throw invalidInput(`starttls must be one of ${STARTTLS.join(", ")}`);
  }
  const starttls = options.starttls ?? (loopback ? "opportunistic" : "required");

  const tls = options.tls;
  if (tls !== undefined && (typeof tls !== "object" || tls === null)) {
    throw invalidInput("tls must be an object");
  }
  const servername =
    tls?.servername !== undefined ? cleanString(tls.servername, "tls.servername") : bareHost;
  if (isIpAddress(servername) && tls?.servername !== undefined) {
    throw invalidInput("tls.servername must be a host name, not an IP address");
  }

  let name: string | undefined;
  if (options.name !== undefined) {
    name = cleanString(options.name, "name");
    if (!isValidEhloName(name)) {
      throw invalidInput("name must be a domain name or an address literal such as [192.0.2.1]");
    }
  }

  const t = options.timeouts ?? {};
  if (typeof t !== "object" || t === null) throw invalidInput("timeouts must be an object");
  const timeouts = {
    connect: positive(t.connect, "timeouts.connect", 30_000),
    greeting: positive(t.greeting, "timeouts.greeting", 30_000),
    command: positive(t.command, "timeouts.command", 60_000),
    data: positive(t.data, "timeouts.data", 600_000),
  };

  let pool: PoolSettings;
  const p = options.pool;
  if (p === undefined || p === false) {
    pool = {
      pooled: false,
      maxConnections: Infinity,
      maxMessages: 1,
      maxInFlight: 1,
      maxInFlightBytes: Infinity,
      idleTimeout: 0,
      noopAfterIdle: Infinity,
      rateLimit: undefined,
    };
  } else if (p === true || (typeof p === "object" && p !== null)) {
    const o = p === true ? {} : p;
    pool = {
      pooled: true,
      maxConnections: positiveInteger(o.maxConnections, "pool.maxConnections", 5),
      maxMessages: positiveInteger(o.maxMessages, "pool.maxMessages", 100),
      maxInFlight: positiveInteger(o.maxInFlight, "pool.maxInFlight", 32),
      maxInFlightBytes: positiveInteger(o.maxInFlightBytes, "pool.maxInFlightBytes", 1_048_576),
      idleTimeout: positive(o.idleTimeout, "pool.idleTimeout", 5_000, true),
      noopAfterIdle: positive(o.noopAfterIdle, "pool.noopAfterIdle", 10_000, true),
      rateLimit: resolveRateLimit(o.rateLimit),
    };
  } else {
    throw invalidInput("pool must be an object or false");
  }

  if (options.transport !== undefined && typeof options.transport !== "function") {
    throw invalidInput("transport must be a connector function");
  }
  if (options.transcript !== undefined && typeof options.transcript !== "function") {
    throw invalidInput("transcript must be a function");
  }
  if (options.lmtp !== undefined && typeof options.lmtp !== "boolean") {
    throw invalidInput("lmtp must be a boolean");
  }
  if (options.allowInsecureAuth !== undefined && typeof options.allowInsecureAuth !== "boolean") {
    throw invalidInput("allowInsecureAuth must be a boolean");
  }

  const debug = options.debug === true;
  const userTranscript = options.transcript;
  const transcript =
    userTranscript || debug
      ? (entry: ClientTranscriptEntry) => {
          userTranscript?.(entry);
          if (debug) console.error(`[smtp #${entry.connection}] ${entry.direction}: ${entry.text}`);
        }
      : undefined;

  return {
    host: bareHost,
    port,
    secure,
    starttls,
    loopback,
    servername,
    tls,
    auth: resolveAuth(options.auth),
    allowInsecureAuth: options.allowInsecureAuth ?? false,
    lmtp: options.lmtp ?? false,
    name,
    timeouts,
    pool,
    transport: options.transport,
    proxy,
    transcript,
    dkim: options.dkim === undefined ? undefined : resolveDkim(options.dkim),
    connectionCounter: { count: 0 },
  };
}
