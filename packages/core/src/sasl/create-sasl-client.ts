import { SmtpError } from "../errors.ts";
import type { Credentials } from "../session-types.ts";
import { type AuthMethod, mechanismOf } from "./auth-methods.ts";
import { createCramMd5Client } from "./cram-md5.ts";
import { createLoginClient } from "./login.ts";
import { createOauthBearerClient } from "./oauthbearer.ts";
import { createPlainClient } from "./plain.ts";
import type { SaslClient } from "./sasl-client.ts";
import { createScramSha256Client, generateScramNonce } from "./scram-sha-256.ts";
import { createXoauth2Client } from "./xoauth2.ts";

/**
 * Options of {@link createSaslClient}.
 *
 * @since 0.1.0
 */
export interface CreateSaslClientOptions {
  /** The session's random source; required for SCRAM-SHA-256 (its client nonce). */
  randomBytes?: ((length: number) => Uint8Array) | undefined;
  /** For OAUTHBEARER's optional `host` key: the server name connected to. */
  host?: string | undefined;
  /** For OAUTHBEARER's optional `port` key: the port connected to. */
  port?: number | undefined;
}

function mismatch(method: AuthMethod, needs: string): SmtpError {
  return new SmtpError({
    kind: "invalid-input",
    message: `${method} needs ${needs}`,
    detail: "bad-credentials",
  });
}

/**
 * Starts a SASL exchange with `method` for `credentials` (usually the result of
 * {@link chooseMechanism}). See {@link SaslClient} for how the engine drives it.
 *
 * @param method - the mechanism.
 * @param credentials - password credentials for PLAIN, LOGIN, CRAM-MD5 and SCRAM-SHA-256,
 *   access-token credentials for XOAUTH2 and OAUTHBEARER.
 * @param options - `randomBytes` is required for SCRAM-SHA-256; `host` and `port` are
 *   optional for OAUTHBEARER.
 * @throws {@link SmtpError} of kind `invalid-input` when the credentials do not fit the
 *   mechanism (a token for PLAIN, a NUL in a PLAIN password, a character SASLprep prohibits
 *   for SCRAM, SCRAM without `randomBytes`). The message never includes a credential.
 * @since 0.1.0
 */
export function createSaslClient(
  method: AuthMethod,
  credentials: Credentials,
  options: CreateSaslClientOptions = {},
): SaslClient {
  const mechanism = mechanismOf(method);
  if (mechanism.credentials === "token" && !("accessToken" in credentials))
    throw mismatch(method, "an access token");
  if (mechanism.credentials === "password" && !("pass" in credentials))
    throw mismatch(method, "a password");
  if (mechanism.needsRandomBytes && options.randomBytes === undefined)
    throw mismatch(method, "randomBytes for its nonce");
  return FACTORIES[method](credentials, options);
}

type Factory = (credentials: Credentials, options: CreateSaslClientOptions) => SaslClient;
const password = (c: Credentials): string => (c as { pass: string }).pass;
const token = (c: Credentials): string => (c as { accessToken: string }).accessToken;

/** One client per registered mechanism (the mapped type makes a missing one a compile error). */
const FACTORIES: { readonly [M in AuthMethod]: Factory } = {
  "SCRAM-SHA-256": (c, o) =>
    createScramSha256Client(c.user, password(c), generateScramNonce(o.randomBytes!)),
  "CRAM-MD5": (c) => createCramMd5Client(c.user, password(c)),
  PLAIN: (c) => createPlainClient(c.user, password(c)),
  LOGIN: (c) => createLoginClient(c.user, password(c)),
  XOAUTH2: (c) => createXoauth2Client(c.user, token(c)),
  OAUTHBEARER: (c, o) => createOauthBearerClient(c.user, token(c), { host: o.host, port: o.port }),
};
