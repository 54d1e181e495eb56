import { SmtpError } from "./errors.ts";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Character code → 6-bit value, or -1 for a character outside the alphabet. */
const DECODE_TABLE: Int16Array = (() => {
  const table = new Int16Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i;
  return table;
})();

/**
 * Encodes bytes as standard base64 (RFC 4648 §4: `+` and `/`, with `=` padding, no line
 * breaks), the form SMTP AUTH (RFC 4954) uses for every SASL message.
 *
 * @param bytes - the bytes to encode.
 * @returns the base64 text; `""` for no bytes.
 * @since 0.1.0
 */
export function encodeBase64(bytes: Uint8Array): string {
  let out = "";
  const whole = bytes.length - (bytes.length % 3);
  for (let i = 0; i < whole; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out +=
      ALPHABET[n >>> 18]! +
      ALPHABET[(n >>> 12) & 63]! +
      ALPHABET[(n >>> 6) & 63]! +
      ALPHABET[n & 63]!;
  }
  const rest = bytes.length - whole;
  if (rest === 1) {
    const n = bytes[whole]! << 16;
    out += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]! + "==";
  } else if (rest === 2) {
    const n = (bytes[whole]! << 16) | (bytes[whole + 1]! << 8);
    out += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]! + ALPHABET[(n >>> 6) & 63]! + "=";
  }
  return out;
}

function badBase64(): SmtpError {
  // Never echo the text: it is a SASL payload and may carry a credential.
  return new SmtpError({ kind: "protocol", message: "invalid base64", detail: "bad-base64" });
}

function sextet(text: string, index: number): number {
  const code = text.charCodeAt(index);
  const value = code < 128 ? DECODE_TABLE[code]! : -1;
  if (value < 0) throw badBase64();
  return value;
}

/**
 * Decodes standard base64 strictly, as a server's SASL challenge must be decoded: only the
 * RFC 4648 §4 alphabet, the length a multiple of four, `=` padding only at the end and only
 * as much as needed, and the unused bits of the last character zero (canonical form). No
 * whitespace or line breaks are skipped. So `encodeBase64(decodeBase64(s)) === s` for every
 * `s` accepted.
 *
 * @param text - the base64 text; `""` decodes to no bytes.
 * @returns the decoded bytes.
 * @throws {@link SmtpError} of kind `protocol`, detail `bad-base64`, when the text is not
 *   canonical base64. The message never includes the text.
 * @since 0.1.0
 */
export function decodeBase64(text: string): Uint8Array {
  if (text.length % 4 !== 0) throw badBase64();
  if (text.length === 0) return new Uint8Array(0);
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  const whole = text.length - (padding === 0 ? 0 : 4);
  let o = 0;
  for (let i = 0; i < whole; i += 4) {
    const n =
      (sextet(text, i) << 18) |
      (sextet(text, i + 1) << 12) |
      (sextet(text, i + 2) << 6) |
      sextet(text, i + 3);
    out[o++] = n >>> 16;
    out[o++] = (n >>> 8) & 255;
    out[o++] = n & 255;
  }
  if (padding === 2) {
    const a = sextet(text, whole);
    const b = sextet(text, whole + 1);
    if ((b & 15) !== 0) throw badBase64();
    out[o] = (a << 2) | (b >>> 4);
  } else if (padding === 1) {
    const a = sextet(text, whole);
    const b = sextet(text, whole + 1);
    const c = sextet(text, whole + 2);
    if ((c & 3) !== 0) throw badBase64();
    out[o++] = (a << 2) | (b >>> 4);
    out[o] = ((b & 15) << 4) | (c >>> 2);
  }
  return out;
}
