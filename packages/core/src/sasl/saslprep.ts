// SASLprep (RFC 4013, a profile of stringprep, RFC 3454), as SCRAM (RFC 5802 §5.1) asks of
// user names and passwords. This is a deliberate subset:
//
// - done: "commonly mapped to nothing" (B.1) removed; non-ASCII spaces (C.1.2) mapped to
//   U+0020; NFKC normalisation (String.prototype.normalize, so the runtime's Unicode version,
//   not Unicode 3.2); every prohibited table checked (C.1.2, C.2.1, C.2.2, C.3, C.4, C.5, C.6,
//   C.7, C.8, C.9), lone surrogates included.
// - not done: the bidirectional rule (RFC 3454 §6), which needs the Bidi_Class table that
//   JavaScript regular expressions do not expose; unassigned code points are allowed, as
//   RFC 4013 allows for queries. A string either of these would reject is sent as prepared
//   here, and at worst the server refuses the login: it never weakens anything.

/** B.1: characters commonly mapped to nothing. */
function isMappedToNothing(code: number): boolean {
  return (
    code === 0x00ad ||
    code === 0x034f ||
    code === 0x1806 ||
    (code >= 0x180b && code <= 0x180d) ||
    (code >= 0x200b && code <= 0x200d) ||
    code === 0x2060 ||
    (code >= 0xfe00 && code <= 0xfe0f) ||
    code === 0xfeff
  );
}

/** C.1.2: non-ASCII space characters (mapped to SPACE). */
const NON_ASCII_SPACE = /[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/gu;

/**
 * The prohibited tables (C.1.2 to C.9) in one class, except the non-characters of C.4 outside
 * the BMP, checked arithmetically. Lone surrogates (C.5) match `[\uD800-\uDFFF]` in `u` mode;
 * a well-formed pair is one code point and does not.
 */
const PROHIBITED = new RegExp(
  "[" +
    "\\u00A0\\u1680\\u2000-\\u200B\\u202F\\u205F\\u3000" + // C.1.2
    "\\u0000-\\u001F\\u007F" + // C.2.1
    "\\u0080-\\u009F\\u06DD\\u070F\\u180E\\u200C\\u200D\\u2028\\u2029\\u2060-\\u2063" +
    "\\u206A-\\u206F\\uFEFF\\uFFF9-\\uFFFC\\u{1D173}-\\u{1D17A}" + // C.2.2
    "\\uE000-\\uF8FF\\u{F0000}-\\u{FFFFD}\\u{100000}-\\u{10FFFD}" + // C.3
    "\\uFDD0-\\uFDEF" + // C.4 (BMP part; the rest below)
    "\\uD800-\\uDFFF" + // C.5
    "\\uFFF9-\\uFFFD" + // C.6
    "\\u2FF0-\\u2FFB" + // C.7
    "\\u0340\\u0341\\u200E\\u200F\\u202A-\\u202E" + // C.8
    "\\u{E0001}\\u{E0020}-\\u{E007F}" + // C.9
    "]",
  "u",
);

function hasNonCharacter(text: string): boolean {
  for (const char of text) {
    // C.4: U+FFFE and U+FFFF in every plane.
    if ((char.codePointAt(0)! & 0xfffe) === 0xfffe) return true;
  }
  return false;
}

/**
 * Prepares a user name or password with the SASLprep subset described above.
 *
 * @returns the prepared string, or `null` when it contains a prohibited character.
 * @since 0.1.0
 */
export function saslPrep(text: string): string | null {
  let mapped = "";
  for (const char of text) if (!isMappedToNothing(char.codePointAt(0)!)) mapped += char;
  const prepared = mapped.replace(NON_ASCII_SPACE, " ").normalize("NFKC");
  if (PROHIBITED.test(prepared) || hasNonCharacter(prepared)) return null;
  return prepared;
}
