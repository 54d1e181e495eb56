/**
 * The SASL mechanisms the engine implements, one row each: the one list from which the
 * {@link AuthMethod} type, {@link AUTH_METHODS}, the automatic choice (`chooseMechanism`:
 * the first offered row of the credentials' kind), the factory (`createSaslClient`), the
 * client's option check and the README's table all come. Adding a mechanism is adding a row
 * here and its client in `create-sasl-client.ts`.
 *
 * @since 0.2.0
 */
export const SASL_MECHANISMS = [
  {
    name: "SCRAM-SHA-256",
    credentials: "password",
    needsRandomBytes: true,
    yieldsToPlainOverTls: false,
    summary: "RFC 7677: a salted challenge; the password never crosses the wire",
  },
  {
    name: "CRAM-MD5",
    credentials: "password",
    needsRandomBytes: false,
    yieldsToPlainOverTls: true,
    summary: "RFC 2195: an HMAC-MD5 challenge; the password never crosses the wire",
  },
  {
    name: "PLAIN",
    credentials: "password",
    needsRandomBytes: false,
    yieldsToPlainOverTls: false,
    summary: "RFC 4616: user and password in one message (TLS required)",
  },
  {
    name: "LOGIN",
    credentials: "password",
    needsRandomBytes: false,
    yieldsToPlainOverTls: false,
    summary: "user and password in two steps, for servers without PLAIN (TLS required)",
  },
  {
    name: "XOAUTH2",
    credentials: "token",
    needsRandomBytes: false,
    yieldsToPlainOverTls: false,
    summary: "an OAuth 2 access token, as Gmail and Microsoft 365 take it",
  },
  {
    name: "OAUTHBEARER",
    credentials: "token",
    needsRandomBytes: false,
    yieldsToPlainOverTls: false,
    summary: "RFC 7628: an OAuth 2 access token, the standard way",
  },
] as const satisfies readonly SaslMechanism[];

/** One row of {@link SASL_MECHANISMS}. @since 0.2.0 */
export interface SaslMechanism {
  /** The name as servers advertise it. */
  name: string;
  /** What the caller must give: a password, or an OAuth 2 access token. */
  credentials: "password" | "token";
  /** It needs the session's random source (a client nonce); never chosen without one. */
  needsRandomBytes: boolean;
  /**
   * Its only gain over PLAIN is keeping the password off a cleartext connection, at the cost
   * of a round trip (and MD5): on a TLS connection PLAIN and LOGIN are chosen before it.
   */
  yieldsToPlainOverTls: boolean;
  /** One line for the docs. */
  summary: string;
}

/**
 * Every SASL mechanism the engine implements, preferred first within each kind of
 * credentials; the {@link AuthMethod} type is derived from it, so a client that checks a
 * method at run time against this list accepts exactly what the type allows.
 *
 * @since 0.1.0
 */
export const AUTH_METHODS = SASL_MECHANISMS.map((m) => m.name) as readonly AuthMethod[];

/** SASL mechanisms the engine implements: one of {@link AUTH_METHODS}. @since 0.1.0 */
export type AuthMethod = (typeof SASL_MECHANISMS)[number]["name"];

/** The row of `method`. */
export function mechanismOf(method: AuthMethod): SaslMechanism {
  return SASL_MECHANISMS.find((m) => m.name === method)!;
}

/** The kind of credentials `method` takes. @since 0.2.0 */
export function credentialsKindOf(method: AuthMethod): "password" | "token" {
  return mechanismOf(method).credentials;
}
