/**
 * Every SASL mechanism the engine implements, in one list: the {@link AuthMethod} type is
 * derived from it, so a client that checks a method at run time against this list accepts
 * exactly what the type allows.
 *
 * @since 0.1.0
 */
export const AUTH_METHODS = [
  "PLAIN",
  "LOGIN",
  "CRAM-MD5",
  "XOAUTH2",
  "OAUTHBEARER",
  "SCRAM-SHA-256",
] as const;

/** SASL mechanisms the engine implements: one of {@link AUTH_METHODS}. @since 0.1.0 */
export type AuthMethod = (typeof AUTH_METHODS)[number];
