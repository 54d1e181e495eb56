import type { Credentials } from "@smtp/core";
import { SmtpError } from "@smtp/core";
import type { ResolvedAuth } from "./resolve-options.ts";

/**
 * The credentials for one new connection: calls the access-token provider, if any, and
 * checks what it returns. A failing provider becomes `SmtpError` kind `auth`, with the
 * provider's error as `cause`.
 *
 * @since 0.1.0
 */
export async function credentialsFor(
  auth: ResolvedAuth | undefined,
): Promise<Credentials | undefined> {
  if (auth === undefined || !("accessTokenProvider" in auth)) return auth;
  let token: unknown;
  try {
    token = await auth.accessTokenProvider();
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
  return {
    user: auth.user,
    accessToken: token,
    ...(auth.method === undefined ? {} : { method: auth.method }),
  };
}
