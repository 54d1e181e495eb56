import { decodeBase64, encodeBase64 } from "../base64.ts";
import { utf8 } from "../bytes.ts";
import { hmac } from "../crypto/hmac.ts";
import { pbkdf2 } from "../crypto/pbkdf2.ts";
import { SHA256, sha256 } from "../crypto/sha256.ts";
import { SmtpError, type SmtpErrorDetail } from "../errors.ts";
import { bytesEqual } from "./bytes.ts";
import { authFailure, invalidCredentials } from "./failures.ts";
import type { SaslClient } from "./sasl-client.ts";
import { saslPrep } from "./saslprep.ts";

/**
 * The fewest PBKDF2 iterations accepted from a server: RFC 7677 §4 requires at least 4096.
 * Fewer would let a server (or someone in its place) weaken what an eavesdropper must brute-force.
 *
 * @since 0.1.0
 */
export const SCRAM_MIN_ITERATIONS = 4096;

/**
 * The most PBKDF2 iterations accepted from a server: 600 000 (OWASP's 2023 figure for
 * PBKDF2-HMAC-SHA-256, so honest servers stay below it). The derivation is synchronous, about
 * 2 µs per iteration in V8 on current hardware, so a second or so at this bound; an unbounded
 * count would let a hostile server freeze the client's thread.
 *
 * @since 0.1.0
 */
export const SCRAM_MAX_ITERATIONS = 600_000;

/** Random bytes in a nonce: 24 bytes, 192 bits, 32 base64 characters. */
const NONCE_BYTES = 24;

/** The GS2 header: no channel binding (the core cannot see the TLS layer), no authzid. */
const GS2_HEADER = "n,,";
/** base64("n,,"), the `c=` attribute of the final message. */
const CHANNEL_BINDING = encodeBase64(utf8(GS2_HEADER));

/** Printable ASCII except "," (RFC 5802 `printable`), one or more. */
const PRINTABLE = /^[\x21-\x2b\x2d-\x7e]+$/;

/** The registered `server-error-value`s (RFC 5802 §7): fixed words, safe to put in a message. */
const KNOWN_SERVER_ERRORS = new Set([
  "invalid-encoding",
  "extensions-not-supported",
  "invalid-proof",
  "channel-bindings-dont-match",
  "server-does-support-channel-binding",
  "channel-binding-not-supported",
  "unsupported-channel-binding-type",
  "unknown-user",
  "invalid-username-encoding",
  "no-resources",
  "other-error",
]);

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Limits a SCRAM client applies to the server's iteration count.
 *
 * @since 0.1.0
 */
export interface ScramOptions {
  /** Default {@link SCRAM_MIN_ITERATIONS}. */
  minIterations?: number;
  /** Default {@link SCRAM_MAX_ITERATIONS}. */
  maxIterations?: number;
}

/**
 * A fresh SCRAM client nonce: {@link NONCE_BYTES} bytes of `randomBytes`, base64-encoded
 * (printable ASCII, never ",").
 *
 * @throws {@link SmtpError} of kind `invalid-input` when `randomBytes` does not return a
 *   `Uint8Array` of the length asked for.
 * @since 0.1.0
 */
export function generateScramNonce(randomBytes: (length: number) => Uint8Array): string {
  const bytes = randomBytes(NONCE_BYTES);
  if (!(bytes instanceof Uint8Array) || bytes.length !== NONCE_BYTES) {
    throw new SmtpError({
      kind: "invalid-input",
      message: `randomBytes(${NONCE_BYTES}) must return ${NONCE_BYTES} bytes`,
      detail: "bad-random-bytes",
    });
  }
  return encodeBase64(bytes);
}

/** RFC 5802 `saslname`: "=" and "," escaped as "=3D" and "=2C" ("=" first). */
function escapeSaslName(name: string): string {
  return name.replaceAll("=", "=3D").replaceAll(",", "=2C");
}

function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

function fail(message: string, detail: SmtpErrorDetail): SmtpError {
  return authFailure("SCRAM-SHA-256", message, detail);
}

function serverError(value: string): SmtpError {
  const known = KNOWN_SERVER_ERRORS.has(value) ? `: ${value}` : "";
  return fail(`server error${known}`, "scram-server-error");
}

function decodeMessage(bytes: Uint8Array, which: string): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw fail(`malformed ${which}`, "scram-malformed");
  }
}

interface ServerFirst {
  nonce: string;
  salt: Uint8Array;
  iterations: number;
}

function parseServerFirst(
  message: string,
  clientNonce: string,
  minIterations: number,
  maxIterations: number,
): ServerFirst {
  if (message.startsWith("e=")) throw serverError(message.slice(2));
  const malformed = (): SmtpError => fail("malformed server-first-message", "scram-malformed");
  const parts = message.split(",");
  if (parts[0]?.startsWith("m=")) throw fail("unsupported mandatory extension", "scram-malformed");
  const [nonceAttr, saltAttr, iterationAttr] = parts;
  if (
    !nonceAttr?.startsWith("r=") ||
    !saltAttr?.startsWith("s=") ||
    !iterationAttr?.startsWith("i=")
  ) {
    throw malformed();
  }
  const nonce = nonceAttr.slice(2);
  if (!PRINTABLE.test(nonce)) throw malformed();
  // The server must extend our nonce, not replace it (replay protection).
  if (!nonce.startsWith(clientNonce) || nonce.length === clientNonce.length) {
    throw fail("server nonce does not extend the client nonce", "scram-bad-nonce");
  }
  let salt: Uint8Array;
  try {
    salt = decodeBase64(saltAttr.slice(2));
  } catch {
    throw malformed();
  }
  if (salt.length === 0) throw malformed();
  const count = iterationAttr.slice(2);
  if (!/^[1-9][0-9]{0,15}$/.test(count)) throw malformed();
  const iterations = Number(count);
  if (iterations < minIterations) throw fail("iteration count too low", "scram-iterations");
  if (iterations > maxIterations) throw fail("iteration count too high", "scram-iterations");
  return { nonce, salt, iterations };
}

/**
 * SCRAM-SHA-256 (RFC 5802, RFC 7677) without channel binding: the password never crosses
 * the wire, and the server proves it knows it too (its signature is checked before
 * {@link SaslClient.complete} turns true).
 *
 * Steps: the initial response `n,,n=<user>,r=<nonce>`; the server-first challenge (nonce,
 * salt, iteration count) answered with `c=biws,r=<nonce>,p=<proof>`; the server-final
 * challenge `v=<signature>` verified and answered with an empty response. The user name
 * and password go through SASLprep (see `saslprep.ts` for the subset) and the user name is
 * escaped (`=2C`, `=3D`).
 *
 * @param user - the user name.
 * @param pass - the password.
 * @param clientNonce - the client nonce: printable ASCII without ",". Use
 *   {@link generateScramNonce}; fixed only in tests.
 * @param options - bounds on the iteration count.
 * @throws {@link SmtpError} of kind `invalid-input` when the user name is empty or either
 *   credential contains a character SASLprep prohibits, or the nonce is not printable.
 * @since 0.1.0
 */
export function createScramSha256Client(
  user: string,
  pass: string,
  clientNonce: string,
  options: ScramOptions = {},
): SaslClient {
  const minIterations = options.minIterations ?? SCRAM_MIN_ITERATIONS;
  const maxIterations = options.maxIterations ?? SCRAM_MAX_ITERATIONS;
  const preparedUser = saslPrep(user);
  if (preparedUser === null || preparedUser === "") {
    throw invalidCredentials(
      "SCRAM-SHA-256",
      "the user name is empty or has a prohibited character",
    );
  }
  const preparedPass = saslPrep(pass);
  if (preparedPass === null) {
    throw invalidCredentials("SCRAM-SHA-256", "the password has a prohibited character");
  }
  if (!PRINTABLE.test(clientNonce)) {
    throw invalidCredentials(
      "SCRAM-SHA-256",
      "the client nonce must be printable ASCII without ','",
    );
  }
  const clientFirstBare = `n=${escapeSaslName(preparedUser)},r=${clientNonce}`;

  let step: "initial" | "first-sent" | "final-sent" | "done" | "failed" = "initial";
  let expectedServerSignature: Uint8Array | undefined;

  const clientFirst = (): Uint8Array => {
    step = "first-sent";
    return utf8(GS2_HEADER + clientFirstBare);
  };

  const clientFinal = (serverFirstMessage: string): Uint8Array => {
    const { nonce, salt, iterations } = parseServerFirst(
      serverFirstMessage,
      clientNonce,
      minIterations,
      maxIterations,
    );
    const withoutProof = `c=${CHANNEL_BINDING},r=${nonce}`;
    const authMessage = utf8(`${clientFirstBare},${serverFirstMessage},${withoutProof}`);
    const saltedPassword = pbkdf2(SHA256, utf8(preparedPass), salt, iterations, 32);
    const clientKey = hmac(SHA256, saltedPassword, utf8("Client Key"));
    const clientSignature = hmac(SHA256, sha256(clientKey), authMessage);
    const serverKey = hmac(SHA256, saltedPassword, utf8("Server Key"));
    expectedServerSignature = hmac(SHA256, serverKey, authMessage);
    step = "final-sent";
    return utf8(`${withoutProof},p=${encodeBase64(xor(clientKey, clientSignature))}`);
  };

  const verifyServerFinal = (message: string): Uint8Array => {
    if (message.startsWith("e=")) throw serverError(message.split(",", 1)[0]!.slice(2));
    const verifier = message.split(",", 1)[0]!;
    if (!verifier.startsWith("v=")) throw fail("malformed server-final-message", "scram-malformed");
    let signature: Uint8Array;
    try {
      signature = decodeBase64(verifier.slice(2));
    } catch {
      throw fail("malformed server-final-message", "scram-malformed");
    }
    if (!bytesEqual(signature, expectedServerSignature!)) {
      throw fail("server signature mismatch", "scram-server-signature");
    }
    step = "done";
    // SMTP has no "additional data with success" (RFC 4954 §4): server-final comes as a 334
    // challenge and is acknowledged with an empty response before the 235.
    return new Uint8Array(0);
  };

  return {
    name: "SCRAM-SHA-256",
    get complete() {
      return step === "done";
    },
    initialResponse: clientFirst,
    respond(challenge) {
      const current = step;
      step = "failed"; // until this step succeeds: a thrown error ends the exchange
      switch (current) {
        case "initial":
          if (challenge.length !== 0)
            throw fail("unexpected challenge", "sasl-unexpected-challenge");
          return clientFirst();
        case "first-sent":
          return clientFinal(decodeMessage(challenge, "server-first-message"));
        case "final-sent":
          return verifyServerFinal(decodeMessage(challenge, "server-final-message"));
        default:
          throw fail("unexpected challenge", "sasl-unexpected-challenge");
      }
    },
  };
}
