import type { AuthMethod } from "../session-types.ts";

/**
 * One SASL authentication exchange, seen from the client (RFC 4422), driven by the engine
 * over SMTP AUTH (RFC 4954). It only turns challenges into responses: it performs no I/O,
 * knows nothing of reply codes, and never puts a credential or payload into an error.
 *
 * The engine's protocol:
 * 1. Call {@link SaslClient.initialResponse} only if it sends the result with the `AUTH`
 *    command. When it does not (the mechanism returned `null`, or the command line would be
 *    too long), it sends `AUTH <name>` alone and the first {@link SaslClient.respond} to the
 *    server's (usually empty) `334` returns the first message instead.
 * 2. For every `334` reply, base64-decode its text, call {@link SaslClient.respond} and send
 *    the base64 of the result (an empty result is sent as an empty line).
 * 3. On `235`, require {@link SaslClient.complete}: for SCRAM it is only true once the
 *    server's signature was verified, so a `235` before that is a server that skipped mutual
 *    authentication and must be treated as an `auth` failure.
 *
 * @since 0.1.0
 */
export interface SaslClient {
  /** The mechanism's name as sent in `AUTH <name>`. */
  readonly name: AuthMethod;
  /**
   * The initial response (RFC 4954 §4) to send with the `AUTH` command, or `null` when the
   * mechanism waits for a first challenge (LOGIN, CRAM-MD5). Call at most once.
   */
  initialResponse(): Uint8Array | null;
  /**
   * Answers one server challenge.
   *
   * @param challenge - the `334` text, already base64-decoded.
   * @returns the response to base64-encode and send.
   * @throws {@link SmtpError} of kind `auth` on a message the mechanism cannot accept (bad
   *   nonce, server signature mismatch, an unexpected extra challenge…); the message is generic.
   */
  respond(challenge: Uint8Array): Uint8Array;
  /** Whether the exchange is finished on the client's side (for SCRAM: the server is verified). */
  readonly complete: boolean;
}
