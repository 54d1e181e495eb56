import { utf8 } from "../bytes.ts";
import { authFailure } from "./failures.ts";
import type { SaslClient } from "./sasl-client.ts";

/**
 * The non-standard but ubiquitous LOGIN mechanism: the server asks for the user name, then
 * for the password (`334 VXNlcm5hbWU6` "Username:", `334 UGFzc3dvcmQ6` "Password:").
 *
 * Servers word the prompts differently (`User Name`, `Username:` in another language, or
 * nothing at all), so the prompts' text is ignored and the answers go in order: the first
 * challenge gets the user name, the second the password; a third is an error. No initial
 * response is sent: the few servers that accept one are not worth the servers that break.
 *
 * @param user - the user name, sent as UTF-8.
 * @param pass - the password, sent as UTF-8.
 * @since 0.1.0
 */
export function createLoginClient(user: string, pass: string): SaslClient {
  let step = 0;
  return {
    name: "LOGIN",
    get complete() {
      return step >= 2;
    },
    initialResponse: () => null,
    respond() {
      step++;
      if (step === 1) return utf8(user);
      if (step === 2) return utf8(pass);
      throw authFailure("LOGIN", "unexpected challenge", "sasl-unexpected-challenge");
    },
  };
}
