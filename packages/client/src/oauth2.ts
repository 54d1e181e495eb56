import { invalidInput, SmtpError } from "@smtp/core/base";
import { isLoopbackHost } from "./loopback.ts";
import type { AccessTokenProvider } from "./options.ts";
import { monotonicNow } from "./web-runtime.ts";

/**
 * Settings of {@link oauth2RefreshToken}.
 *
 * @since 0.1.0
 */
export interface OAuth2RefreshTokenOptions {
  /** The token endpoint, e.g. `https://oauth2.googleapis.com/token`. `https:` (or `http:` to a loopback host). */
  tokenUrl: string;
  /** The OAuth 2 client's identifier. */
  clientId: string;
  /** The client secret; leave it out for a public client. */
  clientSecret?: string;
  /** The long-lived refresh token. A new one the endpoint returns replaces it (rotation). */
  refreshToken: string;
  /** Space-separated scopes to ask for, e.g. `https://mail.google.com/`. */
  scope?: string;
  /** Milliseconds one token request may take. Default 30 000. */
  timeout?: number;
  /** The `fetch` to use. Default: the global one (Node.js 18+, Deno, Bun). */
  fetch?: typeof fetch;
}

/** A token is renewed this long before it expires (or at 90 % of a shorter lifetime). */
const EXPIRY_MARGIN_MS = 60_000;
/** The token endpoint's answer is read up to this many octets. */
const MAX_RESPONSE = 64 * 1024;

function requireString(value: unknown, field: string, allowEmpty = false): string {
  if (typeof value !== "string" || (!allowEmpty && value === "") || /[\r\n\0]/.test(value)) {
    throw invalidInput(
      `oauth2RefreshToken: ${field} must be a non-empty string without CR, LF or NUL`,
    );
  }
  return value;
}

function checkTokenUrl(value: unknown): URL {
  const text = requireString(value, "tokenUrl");
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalidInput("oauth2RefreshToken: tokenUrl is not a URL");
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  // The client secret and refresh token never travel in cleartext, except to this machine.
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(host))) {
    throw invalidInput(
      "oauth2RefreshToken: tokenUrl must be https: (http: only to a loopback host)",
    );
  }
  // A user name or password in the authority ("https://u:p@host/"): secrets belong in the body.
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*@/.test(text)) {
    throw invalidInput("oauth2RefreshToken: tokenUrl must not carry credentials");
  }
  return url;
}

/** The response body as text, at most {@link MAX_RESPONSE} octets. */
async function readLimited(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (reader === undefined) return "";
  const chunks: Uint8Array[] = [];
  let length = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      length += value.length;
      if (length > MAX_RESPONSE)
        throw new Error(`the answer is longer than ${MAX_RESPONSE} octets`);
      chunks.push(value);
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  const all = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.length;
  }
  return new TextDecoder().decode(all);
}

interface TokenAnswer {
  accessToken: string;
  /** Milliseconds the token lives, when the endpoint said. */
  lifetime: number | undefined;
  refreshToken: string | undefined;
}

/** Reads an RFC 6749 §5.1 answer, or throws with its §5.2 error (never echoing a secret). */
function parseAnswer(status: number, text: string): TokenAnswer {
  let body: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === "object" && parsed !== null) body = parsed as Record<string, unknown>;
  } catch {
    // Not JSON: reported below by status.
  }
  if (status < 200 || status > 299 || typeof body.access_token !== "string") {
    const code = typeof body.error === "string" ? body.error.slice(0, 100) : `HTTP ${status}`;
    const description =
      typeof body.error_description === "string" ? `: ${body.error_description.slice(0, 300)}` : "";
    throw new Error(`the token endpoint refused the refresh (${code}${description})`);
  }
  const type = body.token_type;
  if (typeof type === "string" && type.toLowerCase() !== "bearer") {
    throw new Error(`the token endpoint returned a ${type.slice(0, 40)} token, not a bearer token`);
  }
  const expiresIn = Number(body.expires_in);
  return {
    accessToken: body.access_token,
    lifetime: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn * 1000 : undefined,
    refreshToken:
      typeof body.refresh_token === "string" && body.refresh_token !== ""
        ? body.refresh_token
        : undefined,
  };
}

/**
 * An {@link AccessTokenProvider} that gets access tokens with an OAuth 2 refresh token
 * (RFC 6749 §6, the `refresh_token` grant) over `fetch`, for `auth.accessToken`. The token
 * is cached until shortly before it expires (`expires_in`), connections asking at the same
 * time share one request, and `{ expired: true }` (the server refused the token) always
 * fetches a new one. Errors name the endpoint's `error` code, never a secret.
 *
 * @example
 * ```ts
 * const client = createClient({
 *   host: "smtp.gmail.com",
 *   secure: true,
 *   auth: {
 *     user: "me@gmail.com",
 *     accessToken: oauth2RefreshToken({
 *       tokenUrl: "https://oauth2.googleapis.com/token",
 *       clientId, clientSecret, refreshToken,
 *     }),
 *   },
 * });
 * ```
 *
 * @throws {@link SmtpError} kind `invalid-input` for bad settings (e.g. an `http:` URL to
 *   another machine), at once.
 * @since 0.1.0
 */
export function oauth2RefreshToken(options: OAuth2RefreshTokenOptions): AccessTokenProvider {
  if (typeof options !== "object" || options === null) {
    throw invalidInput("oauth2RefreshToken: options must be an object");
  }
  const url = checkTokenUrl(options.tokenUrl);
  const clientId = requireString(options.clientId, "clientId");
  const clientSecret =
    options.clientSecret === undefined
      ? undefined
      : requireString(options.clientSecret, "clientSecret", true);
  let refreshToken = requireString(options.refreshToken, "refreshToken");
  const scope = options.scope === undefined ? undefined : requireString(options.scope, "scope");
  const timeout = options.timeout ?? 30_000;
  if (!(Number.isFinite(timeout) && timeout > 0 && timeout <= 2 ** 31 - 1)) {
    throw invalidInput("oauth2RefreshToken: timeout must be a positive number of milliseconds");
  }
  const fetcher = options.fetch ?? globalThis.fetch;
  if (typeof fetcher !== "function") {
    throw invalidInput("oauth2RefreshToken: no fetch in this runtime: pass options.fetch");
  }

  let cached: { token: string; renewAt: number } | undefined;
  let pending: Promise<string> | undefined;

  const request = async (): Promise<string> => {
    const form = new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken });
    form.set("client_id", clientId);
    if (clientSecret !== undefined) form.set("client_secret", clientSecret);
    if (scope !== undefined) form.set("scope", scope);
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new Error(`no answer from the token endpoint in ${timeout} ms`)),
      timeout,
    );
    try {
      const response = await fetcher(url.href, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          accept: "application/json",
        },
        body: form.toString(),
        redirect: "error",
        signal: controller.signal,
      });
      const answer = parseAnswer(response.status, await readLimited(response));
      if (answer.refreshToken !== undefined) refreshToken = answer.refreshToken;
      const lifetime = answer.lifetime;
      cached = {
        token: answer.accessToken,
        renewAt:
          lifetime === undefined
            ? Number.POSITIVE_INFINITY
            : monotonicNow() + lifetime - Math.min(EXPIRY_MARGIN_MS, lifetime / 10),
      };
      return answer.accessToken;
    } catch (error) {
      if (controller.signal.aborted) throw controller.signal.reason;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };

  return ({ expired } = { expired: false }) => {
    if (pending !== undefined) return pending;
    if (!expired && cached !== undefined && monotonicNow() < cached.renewAt) return cached.token;
    cached = undefined;
    pending = request().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}
