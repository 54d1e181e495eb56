import { utf8 } from "../bytes.ts";
import type { AuthMethod } from "../session-types.ts";
import { authFailure } from "./failures.ts";
import type { SaslClient } from "./sasl-client.ts";

/**
 * The exchange XOAUTH2 and OAUTHBEARER share: one message carrying the bearer token (as the
 * initial response, or as the answer to an empty first challenge). When the token is
 * refused the server sends a `334` whose challenge is a JSON error; the client answers it
 * once with `errorAnswer` so the server can send its final `535`, which the engine reports.
 * A further challenge fails the exchange.
 *
 * @param name - the mechanism name.
 * @param message - the whole message, already validated and framed.
 * @param errorAnswer - the response to the error challenge.
 * @since 0.1.0
 */
export function createBearerTokenClient(
  name: AuthMethod,
  message: string,
  errorAnswer: Uint8Array,
): SaslClient {
  let sent = false;
  let answeredError = false;
  const send = (): Uint8Array => {
    sent = true;
    return utf8(message);
  };
  return {
    name,
    get complete() {
      return sent;
    },
    initialResponse: send,
    respond() {
      if (!sent) return send();
      if (answeredError) {
        throw authFailure(name, "unexpected challenge", "sasl-unexpected-challenge");
      }
      answeredError = true;
      return errorAnswer.slice();
    },
  };
}
