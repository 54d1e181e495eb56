import { utf8 } from "../bytes.ts";
import { authFailure, invalidCredentials } from "./failures.ts";
import type { SaslClient } from "./sasl-client.ts";

/**
 * SASL PLAIN (RFC 4616): one message, `authzid NUL authcid NUL passwd` in UTF-8, with an
 * empty authorization identity (act as the user you log in as).
 *
 * @param user - the authentication identity; must not contain NUL.
 * @param pass - the password; must not contain NUL.
 * @throws {@link SmtpError} of kind `invalid-input` when either contains NUL.
 * @since 0.1.0
 */
export function createPlainClient(user: string, pass: string): SaslClient {
  if (user.includes("\0") || pass.includes("\0")) {
    throw invalidCredentials("PLAIN", "the user name and password must not contain NUL");
  }
  let sent = false;
  const message = (): Uint8Array => {
    sent = true;
    return utf8(`\0${user}\0${pass}`);
  };
  return {
    name: "PLAIN",
    get complete() {
      return sent;
    },
    initialResponse: message,
    respond() {
      // The empty 334 after a bare "AUTH PLAIN" asks for the message; anything later is a
      // server that does not follow the one-step mechanism.
      if (sent) throw authFailure("PLAIN", "unexpected challenge", "sasl-unexpected-challenge");
      return message();
    },
  };
}
