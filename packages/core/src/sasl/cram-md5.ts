import { utf8 } from "../bytes.ts";
import { hmac } from "../crypto/hmac.ts";
import { MD5 } from "../crypto/md5.ts";
import { authFailure } from "./failures.ts";
import type { SaslClient } from "./sasl-client.ts";

const HEX = "0123456789abcdef";

function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += HEX[byte >>> 4]! + HEX[byte & 15]!;
  return out;
}

/**
 * CRAM-MD5 (RFC 2195): the server sends a challenge, the client answers
 * `user SP hex(HMAC-MD5(password, challenge))` in lowercase hex. The password never crosses
 * the wire, but the server must store it in clear, and MD5 is old: prefer SCRAM-SHA-256 or
 * PLAIN over TLS when offered.
 *
 * @param user - the user name, sent as UTF-8.
 * @param pass - the password, the HMAC key as UTF-8.
 * @since 0.1.0
 */
export function createCramMd5Client(user: string, pass: string): SaslClient {
  let answered = false;
  return {
    name: "CRAM-MD5",
    get complete() {
      return answered;
    },
    initialResponse: () => null,
    respond(challenge) {
      if (answered)
        throw authFailure("CRAM-MD5", "unexpected challenge", "sasl-unexpected-challenge");
      if (challenge.length === 0) {
        throw authFailure("CRAM-MD5", "empty challenge", "sasl-bad-challenge");
      }
      answered = true;
      return utf8(`${user} ${toHex(hmac(MD5, utf8(pass), challenge))}`);
    },
  };
}
