import { createBearerTokenClient } from "./bearer-token.ts";
import { invalidCredentials } from "./failures.ts";
import type { SaslClient } from "./sasl-client.ts";

/**
 * XOAUTH2 (Google's and Microsoft's OAuth 2 mechanism): one message,
 * `user=<user>\x01auth=Bearer <token>\x01\x01`.
 *
 * When the token is refused the server sends a `334` whose challenge is a JSON error
 * (`{"status":"401",…}`); the client answers it with an empty response and the server then
 * sends the final `535`, which the engine reports.
 *
 * @param user - the mailbox the token belongs to; must not contain `\x01`.
 * @param accessToken - the OAuth 2 bearer token; must not contain `\x01`.
 * @throws {@link SmtpError} of kind `invalid-input` when either contains `\x01` (the separator).
 * @since 0.1.0
 */
export function createXoauth2Client(user: string, accessToken: string): SaslClient {
  if (user.includes("\x01") || accessToken.includes("\x01")) {
    throw invalidCredentials("XOAUTH2", "the user name and token must not contain \\x01");
  }
  // The error JSON is acknowledged with an empty response.
  return createBearerTokenClient(
    "XOAUTH2",
    `user=${user}\x01auth=Bearer ${accessToken}\x01\x01`,
    new Uint8Array(0),
  );
}
