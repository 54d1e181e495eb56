import type { Credentials } from "../session-types.ts";
import { type AuthMethod, SASL_MECHANISMS } from "./auth-methods.ts";

// The preference is the registry's order: password mechanisms strongest first; XOAUTH2
// before OAUTHBEARER, since it is what Gmail and Microsoft 365 both take (and Microsoft
// 365 offers nothing else). Over TLS, CRAM-MD5 gives way to PLAIN and LOGIN: what it
// protects (the password on the wire) TLS already protects, and it costs a round trip.

/**
 * What {@link chooseMechanism} needs to know about the session beyond the offer.
 *
 * @since 0.1.0
 */
export interface ChooseMechanismOptions {
  /**
   * The session's random source. SCRAM-SHA-256 needs it for its nonce, so it is only chosen
   * automatically when this is set (pass `SessionOptions.randomBytes` straight through).
   */
  randomBytes?: ((length: number) => Uint8Array) | undefined;
  /**
   * The connection is TLS: mechanisms whose only gain is hiding the password from a
   * cleartext connection (CRAM-MD5) then come after PLAIN and LOGIN.
   *
   * @since 0.2.0
   */
  secure?: boolean | undefined;
}

/**
 * Picks the SASL mechanism to use from the server's `AUTH` offer.
 *
 * - With `credentials.method` set: that method if the server offers it and it fits the kind
 *   of credentials, otherwise `undefined` (an explicit choice is never silently replaced).
 * - Password credentials: the first offered of SCRAM-SHA-256 (only when
 *   `options.randomBytes` is set), CRAM-MD5, PLAIN, LOGIN; with `options.secure`,
 *   SCRAM-SHA-256, PLAIN, LOGIN, CRAM-MD5.
 * - Access-token credentials: XOAUTH2, else OAUTHBEARER.
 *
 * Names are compared case-insensitively. Whether cleartext mechanisms are acceptable on the
 * connection (TLS, loopback) is the engine's decision, made before calling this.
 *
 * @param offered - the mechanisms from the EHLO `AUTH` line.
 * @param credentials - the session's credentials.
 * @param options - see {@link ChooseMechanismOptions}.
 * @returns the mechanism, or `undefined` when there is none both sides support.
 * @since 0.1.0
 */
export function chooseMechanism(
  offered: readonly string[],
  credentials: Credentials,
  options: ChooseMechanismOptions = {},
): AuthMethod | undefined {
  const offeredSet = new Set(offered.map((name) => name.toUpperCase()));
  const kind = "accessToken" in credentials ? "token" : "password";
  const candidates = SASL_MECHANISMS.filter((m) => m.credentials === kind);
  if (credentials.method !== undefined) {
    const method = credentials.method;
    return candidates.some((m) => m.name === method) && offeredSet.has(method) ? method : undefined;
  }
  const usable = candidates.filter(
    (m) => offeredSet.has(m.name) && (!m.needsRandomBytes || options.randomBytes !== undefined),
  );
  if (options.secure === true) {
    return (usable.find((m) => !m.yieldsToPlainOverTls) ?? usable[0])?.name;
  }
  return usable[0]?.name;
}
