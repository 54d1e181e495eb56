import type { Credentials } from "@smtp/core";
import { SmtpError } from "@smtp/core/base";
import type { AccessTokenProvider } from "./options.ts";
import type { ResolvedAuth } from "./resolve-options.ts";

/** How errors name the access-token provider (a connect timeout it outlasted, for one). */
export const TOKEN_PROVIDER = "the access token provider";

/**
 * Asks the access-token provider for a token and checks it. `expired` tells the provider
 * that the server refused the previous one (so a cached token must not be returned). A
 * failing provider becomes `SmtpError` kind `auth`, with the provider's error as `cause`.
 *
 * @since 0.1.0
 */
export async function accessTokenFrom(
  provider: AccessTokenProvider,
  expired: boolean,
): Promise<string> {
  let token: unknown;
  try {
    token = await provider({ expired });
  } catch (cause) {
    throw new SmtpError({
      kind: "auth",
      message: "the access token provider failed",
      retryable: false,
      cause,
    });
  }
  if (typeof token !== "string" || token.length === 0 || /[\r\n\0]/.test(token)) {
    throw new SmtpError({
      kind: "auth",
      message: "the access token provider returned no usable token",
      retryable: false,
    });
  }
  return token;
}

/**
 * The credentials for one new connection: calls the access-token provider, if any, and
 * checks what it returns (see {@link accessTokenFrom}).
 *
 * @since 0.1.0
 */
export async function credentialsFor(
  auth: ResolvedAuth | undefined,
): Promise<Credentials | undefined> {
  if (auth === undefined || !("accessTokenProvider" in auth)) return auth;
  return {
    user: auth.user,
    accessToken: await accessTokenFrom(auth.accessTokenProvider, false),
    ...(auth.method === undefined ? {} : { method: auth.method }),
  };
}
