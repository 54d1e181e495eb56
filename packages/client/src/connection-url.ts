import { invalidInput, SmtpError } from "@smtp/core/base";
import type { ClientOptions } from "./options.ts";
import { serviceSettings } from "./services.ts";

/** The longest connection URL accepted, in characters. */
const MAX_URL = 4096;

/** How a query value is read. */
type QueryType = "boolean" | "number" | "string";

/**
 * The query keys a connection URL may carry: the option they set (a dotted path) and its
 * type. Anything else is refused, like an unknown option.
 */
const QUERY_KEYS: Readonly<Record<string, QueryType>> = {
  secure: "boolean",
  starttls: "string",
  name: "string",
  lmtp: "boolean",
  allowInsecureAuth: "boolean",
  debug: "boolean",
  pool: "boolean",
  "pool.maxConnections": "number",
  "pool.maxMessages": "number",
  "pool.maxInFlight": "number",
  "pool.maxInFlightBytes": "number",
  "pool.idleTimeout": "number",
  "pool.noopAfterIdle": "number",
  "timeouts.connect": "number",
  "timeouts.greeting": "number",
  "timeouts.command": "number",
  "timeouts.data": "number",
  "tls.servername": "string",
  "tls.rejectUnauthorized": "boolean",
  "tls.minVersion": "string",
  "auth.method": "string",
  proxy: "string",
};

/**
 * RFC 3986 percent-decoding into UTF-8 text: `%XX` escapes must be well formed and the
 * octets valid UTF-8. `what` names the part in errors, which never quote the text (it may
 * be a password).
 *
 * @since 0.1.0
 */
export function percentDecode(text: string, what: string, plusIsSpace = false): string {
  const octets: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25) {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex))
        throw invalidInput(`url: the ${what} has a bad "%" escape`);
      octets.push(Number.parseInt(hex, 16));
      i += 2;
    } else if (c === 0x2b && plusIsSpace) octets.push(0x20);
    else if (c < 0x80) octets.push(c);
    else {
      // A raw non-ASCII character (an IRI): its UTF-8 octets, surrogate pairs whole.
      const end = c >= 0xd800 && c <= 0xdbff ? i + 2 : i + 1;
      octets.push(...new TextEncoder().encode(text.slice(i, end)));
      i = end - 1;
    }
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(octets));
  } catch {
    throw invalidInput(`url: the ${what} is not valid UTF-8 once percent-decoded`);
  }
}

function queryValue(key: string, raw: string, type: QueryType): boolean | number | string {
  const value = percentDecode(raw, `value of ${key}`, true);
  if (type === "string") return value;
  if (type === "boolean") {
    if (value === "true") return true;
    if (value === "false") return false;
    throw invalidInput(`url: ${key} must be true or false`);
  }
  if (!/^\d{1,15}$/.test(value)) throw invalidInput(`url: ${key} must be a whole number`);
  return Number(value);
}

/** Sets `path` (`a` or `a.b`) in `target`; `pool=true` and `pool.x` combine. */
function setOption(target: Record<string, unknown>, path: string, value: unknown): void {
  const dot = path.indexOf(".");
  if (dot < 0) {
    if (path === "pool" && typeof target.pool === "object") {
      if (value === false) target.pool = false;
      return;
    }
    target[path] = value;
    return;
  }
  const head = path.slice(0, dot);
  const current = target[head];
  if (current === false) return;
  const object = typeof current === "object" && current !== null ? current : {};
  (object as Record<string, unknown>)[path.slice(dot + 1)] = value;
  target[head] = object;
}

/**
 * Parses `smtp://[user[:password]@]host[:port][/][?key=value&…]` (`smtps://` for implicit
 * TLS) into client options. User and password are percent-decoded; query keys set options
 * (`starttls=opportunistic`, `pool=true`, `pool.maxConnections=3`, `tls.servername=…`,
 * `timeouts.command=30000`, `auth.method=LOGIN`…), and unknown keys are refused. Errors
 * never quote the URL (it may hold a password).
 *
 * @throws {@link SmtpError} kind `invalid-input`.
 * @since 0.1.0
 */
export function parseConnectionUrl(url: string): ClientOptions {
  if (typeof url !== "string") throw invalidInput("url must be a string");
  if (url.length > MAX_URL) throw invalidInput(`url is longer than ${MAX_URL} characters`);
  if (/[\0-\x20\x7f]/.test(url))
    throw invalidInput("url must not contain spaces or control characters");
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url);
  const protocol = scheme?.[1]?.toLowerCase();
  if (protocol !== "smtp" && protocol !== "smtps") {
    throw invalidInput("url must start with smtp:// or smtps://");
  }
  let rest = url.slice(scheme![0].length);
  if (rest.includes("#")) throw invalidInput("url must not have a fragment");
  const queryAt = rest.indexOf("?");
  const query = queryAt < 0 ? "" : rest.slice(queryAt + 1);
  if (queryAt >= 0) rest = rest.slice(0, queryAt);
  const slash = rest.indexOf("/");
  if (slash >= 0) {
    if (slash !== rest.length - 1) throw invalidInput("url must not have a path");
    rest = rest.slice(0, slash);
  }
  const options: Record<string, unknown> = {};
  if (protocol === "smtps") options.secure = true;

  // The last "@" ends the user information: a password may hold a raw "@".
  const at = rest.lastIndexOf("@");
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const colon = userinfo.indexOf(":");
    const user = percentDecode(colon < 0 ? userinfo : userinfo.slice(0, colon), "user name");
    if (user === "") throw invalidInput("url: the user name is empty");
    const auth: Record<string, unknown> = { user };
    if (colon >= 0) auth.pass = percentDecode(userinfo.slice(colon + 1), "password");
    options.auth = auth;
  }

  const hostPort = /^(\[[0-9A-Fa-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(rest);
  if (hostPort === null) throw invalidInput("url: the host (and port) are not valid");
  options.host = percentDecode(hostPort[1]!, "host");
  if (hostPort[2] !== undefined) {
    const port = Number(hostPort[2]);
    if (port < 1 || port > 65535) throw invalidInput("url: the port must be 1 to 65535");
    options.port = port;
  }

  if (query !== "") {
    const seen = new Set<string>();
    for (const pair of query.split("&")) {
      if (pair === "") continue;
      const eq = pair.indexOf("=");
      if (eq < 0) throw invalidInput("url: each query parameter must be key=value");
      const key = percentDecode(pair.slice(0, eq), "query key", true);
      const type = QUERY_KEYS[key];
      if (type === undefined || !Object.hasOwn(QUERY_KEYS, key)) {
        throw invalidInput(
          `url: unknown query key ${JSON.stringify(key.slice(0, 64))}; known: ${Object.keys(QUERY_KEYS).join(", ")}`,
        );
      }
      if (seen.has(key)) throw invalidInput(`url: query key ${key} given twice`);
      seen.add(key);
      setOption(options, key, queryValue(key, pair.slice(eq + 1), type));
    }
  }
  return options as unknown as ClientOptions;
}

/** Object-valued options merge one level deep; anything else is replaced. */
function merge(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const current = out[key];
    const objects =
      typeof value === "object" &&
      value !== null &&
      !Array.isArray(value) &&
      typeof current === "object" &&
      current !== null &&
      !Array.isArray(current) &&
      key !== "transport";
    out[key] = objects ? { ...current, ...value } : value;
  }
  return out;
}

/**
 * Applies `service` and `url` to the options: a provider's settings, then the URL's, then
 * the options given explicitly (which win; `tls`, `auth`, `pool` and `timeouts` merge key
 * by key). A string is a URL. Options without either come back as they are.
 *
 * @since 0.1.0
 */
export function expandConnectionOptions(options: ClientOptions | string): ClientOptions {
  if (typeof options === "string") return parseConnectionUrl(options);
  if (typeof options !== "object" || options === null) return options;
  const { url, service, ...explicit } = options;
  if (url === undefined && service === undefined) return options;
  let expanded: Record<string, unknown> = {};
  if (service !== undefined) {
    const { secure, ...settings } = serviceSettings(service);
    // An explicit port without `secure` decides the TLS mode itself (465: implicit).
    expanded =
      explicit.port !== undefined && explicit.secure === undefined
        ? settings
        : { ...settings, secure };
  }
  if (url !== undefined)
    expanded = merge(expanded, parseConnectionUrl(url) as unknown as Record<string, unknown>);
  return merge(expanded, explicit as Record<string, unknown>) as unknown as ClientOptions;
}
