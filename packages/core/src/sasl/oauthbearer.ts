import { createBearerTokenClient } from "./bearer-token.ts";
import { invalidCredentials } from "./failures.ts";
import type { SaslClient } from "./sasl-client.ts";

/**
 * Where the client connected, for OAUTHBEARER's optional `host` and `port` keys.
 *
 * @since 0.1.0
 */
export interface OauthBearerTarget {
  /** The server's host name, as connected to. */
  host?: string | undefined;
  /** The server's port. */
  port?: number | undefined;
}

/** RFC 5801 `saslname`: "=" and "," escaped as "=3D" and "=2C" ("=" first). */
function escapeSaslName(name: string): string {
  return name.replaceAll("=", "=3D").replaceAll(",", "=2C");
}

/**
 * OAUTHBEARER (RFC 7628): one message,
 * `n,a=<user>,\x01[host=<host>\x01][port=<port>\x01]auth=Bearer <token>\x01\x01`.
 *
 * When the token is refused the server sends a `334` whose challenge is a JSON error; the
 * client must answer it with a single `\x01` (RFC 7628 §3.2.3), and the server then sends
 * the final `535`.
 *
 * @param user - the authorization identity (the mailbox); must not contain NUL or `\x01`.
 * @param accessToken - the OAuth 2 bearer token; must not contain control characters.
 * @param target - the optional `host` and `port` keys.
 * @throws {@link SmtpError} of kind `invalid-input` when a value would break the framing.
 * @since 0.1.0
 */
export function createOauthBearerClient(
  user: string,
  accessToken: string,
  target: OauthBearerTarget = {},
): SaslClient {
  if (/[\0\x01]/.test(user) || /[\0-\x1f\x7f]/.test(accessToken)) {
    throw invalidCredentials(
      "OAUTHBEARER",
      "the user name must not contain NUL or \\x01, nor the token control characters",
    );
  }
  const { host, port } = target;
  if (host !== undefined && /[\0-\x1f\x7f]/.test(host)) {
    throw invalidCredentials("OAUTHBEARER", "the host must not contain control characters");
  }
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
    throw invalidCredentials("OAUTHBEARER", "the port must be an integer from 1 to 65535");
  }
  const keys =
    (host === undefined ? "" : `host=${host}\x01`) + (port === undefined ? "" : `port=${port}\x01`);
  // The error JSON: RFC 7628 §3.2.3 wants a lone kvsep so the server can fail the exchange.
  return createBearerTokenClient(
    "OAUTHBEARER",
    `n,a=${escapeSaslName(user)},\x01${keys}auth=Bearer ${accessToken}\x01\x01`,
    Uint8Array.of(0x01),
  );
}
