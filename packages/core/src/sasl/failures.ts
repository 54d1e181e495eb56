import { SmtpError, type SmtpErrorDetail } from "../errors.ts";
import type { AuthMethod } from "../session-types.ts";

// Every message here is fixed text: a SASL failure must never quote a credential or a
// payload (security rule R14), so callers only choose among generic descriptions.

/** An `auth` error for a server message the mechanism cannot accept. @since 0.1.0 */
export function authFailure(
  mechanism: AuthMethod,
  message: string,
  detail: SmtpErrorDetail,
): SmtpError {
  return new SmtpError({ kind: "auth", message: `${mechanism}: ${message}`, detail });
}

/** An `invalid-input` error for credentials the mechanism cannot carry. @since 0.1.0 */
export function invalidCredentials(mechanism: AuthMethod, message: string): SmtpError {
  return new SmtpError({
    kind: "invalid-input",
    message: `${mechanism}: ${message}`,
    detail: "bad-credentials",
  });
}
