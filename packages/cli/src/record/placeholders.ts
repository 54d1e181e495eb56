import type { Credentials } from "@smtp/core";

/** The user name a recording puts in place of the real one (the test peers' account). */
export const PLACEHOLDER_USER = "user@example.test";
/** The password a recording puts in place of the real one. */
export const PLACEHOLDER_PASS = "password";
/** The access token a recording puts in place of the real one. */
export const PLACEHOLDER_TOKEN = "test-access-token";

/**
 * Credentials that stand in for the real ones in a recording: the same kind (password or
 * token) and method. `long` pads the secret so that, like the real one was, it is too long
 * for an initial response on the AUTH line (RFC 4954's 512 octets), which keeps the
 * recorded two-step exchange.
 */
export function placeholderCredentials(real: Credentials, long: boolean): Credentials {
  const pad = long ? `-${"x".repeat(400)}` : "";
  const method = real.method === undefined ? {} : { method: real.method };
  return "accessToken" in real
    ? { user: PLACEHOLDER_USER, accessToken: `${PLACEHOLDER_TOKEN}${pad}`, ...method }
    : { user: PLACEHOLDER_USER, pass: `${PLACEHOLDER_PASS}${pad}`, ...method };
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/**
 * A random printable string for the engine's `randomBytes` while recording: its UTF-8
 * bytes, repeated, are the random bytes (as a transcript's `@job.randomBytes` replays
 * them), so a SCRAM client nonce comes out the same in the replay. 64 characters of a
 * 64-letter alphabet: the 24-byte nonce carries 144 random bits.
 */
export function recordingRandomString(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(64));
  return Array.from(bytes, (b) => ALPHABET[b % 64]).join("");
}

/** `randomBytes` as the replay runner derives it from `@job.randomBytes`. */
export function randomBytesOf(pattern: string): (length: number) => Uint8Array {
  const bytes = new TextEncoder().encode(pattern);
  return (length) => Uint8Array.from({ length }, (_, i) => bytes[i % bytes.length] as number);
}
