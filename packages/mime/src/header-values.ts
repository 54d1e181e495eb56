import { formatAddrSpec, type Mailbox } from "./address.ts";
import { isAtomChar } from "./address-parser.ts";
import { encodeWords } from "./encoded-word.ts";
import { FOLD_AT } from "./header-fold.ts";
import { isPrintableAscii, utf8Length } from "./text.ts";

/** Longest word written raw; longer ones go into encoded-words, which split anywhere. */
const MAX_RAW_WORD = 900;

/**
 * Raw UTF-8 allowed (SMTPUTF8): no C0/C1 controls or DEL, and no whitespace but the ASCII
 * space (readers trim or drop no-break spaces, line separators and the like). Characters
 * whose last UTF-8 octet is 0xA0 are excluded too: readers that look at raw header octets
 * as Latin-1 see a no-break space there and trim it (mailparser does). Such text goes into
 * encoded-words, which every reader decodes the same.
 */
function isRawUtf8Safe(text: string): boolean {
  if (OTHER_WHITESPACE.test(text)) return false;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || c === 0x7f || (c >= 0x80 && c < 0xa0)) return false;
    if (c >= 0x80 && (c & 0x3f) === 0x20) return false;
  }
  return true;
}

/** Any whitespace except U+0020 (a single character class: linear). */
const OTHER_WHITESPACE = /[^\S ]/u;

function canStayRaw(text: string, smtpUtf8: boolean): boolean {
  if (!(isPrintableAscii(text) || (smtpUtf8 && isRawUtf8Safe(text)))) return false;
  // Text that looks like an encoded-word would be decoded by readers, and readers trim or
  // collapse outer and repeated spaces: such text goes into encoded-words instead.
  return (
    !text.includes("=?") && !text.startsWith(" ") && !text.endsWith(" ") && !text.includes("  ")
  );
}

/**
 * The words of an unstructured value (Subject, extra headers): raw and folded at spaces
 * when it is printable ASCII (or UTF-8 in SMTPUTF8 mode), otherwise encoded-words.
 *
 * @since 0.1.0
 */
export function unstructuredWords(name: string, value: string, smtpUtf8: boolean): string[] {
  if (value === "") return [];
  if (canStayRaw(value, smtpUtf8)) {
    const words = value.split(" ");
    if (words.every((w) => utf8Length(w) <= MAX_RAW_WORD)) return words;
  }
  const first = FOLD_AT - name.length - 2;
  return encodeWords(value, first >= 24 ? Math.min(first, 75) : 75, 75);
}

function isPhraseAtom(word: string): boolean {
  if (word === "") return false;
  for (let i = 0; i < word.length; i++) if (!isAtomChar(word.charCodeAt(i))) return false;
  return true;
}

/**
 * A display name as phrase words: atoms when possible, a quoted string when it has
 * specials, encoded-words when it is not ASCII (unless SMTPUTF8) or has controls, or when
 * a raw word would be too long once escaped.
 *
 * A quoted string longer than a line is split at its spaces, so that the folder can break
 * it there: RFC 5322 allows folding white space inside a quoted string, and unfolding gives
 * back the single space (canStayRaw guarantees there are no runs of spaces). Shorter ones
 * stay one word, so they move to the next line whole.
 *
 * @since 0.1.0
 */
export function phraseWords(name: string, smtpUtf8: boolean, firstMax = 75): string[] {
  if (canStayRaw(name, smtpUtf8)) {
    const atoms = name.split(" ");
    if (atoms.every(isPhraseAtom)) {
      if (atoms.every((w) => utf8Length(w) <= MAX_RAW_WORD)) return atoms;
    } else {
      // Measured after escaping: 600 quotes are 1 202 octets on the wire.
      const quoted = `"${name.replace(/["\\]/g, "\\$&")}"`;
      const words = utf8Length(quoted) < FOLD_AT ? [quoted] : quoted.split(" ");
      if (words.every((w) => utf8Length(w) <= MAX_RAW_WORD)) return words;
    }
  }
  return encodeWords(name, firstMax, 75);
}

/**
 * An address list as header words, commas attached: `Name <a@b>, c@d`.
 *
 * @since 0.1.0
 */
export function addressListWords(
  name: string,
  mailboxes: readonly Mailbox[],
  smtpUtf8: boolean,
): string[] {
  // The first display name shares its line with "Name: ".
  const first = FOLD_AT - name.length - 2;
  const words: string[] = [];
  mailboxes.forEach((mailbox, i) => {
    const spec = formatAddrSpec(mailbox, smtpUtf8);
    const comma = i < mailboxes.length - 1 ? "," : "";
    if (mailbox.name === "") {
      words.push(spec + comma);
    } else {
      const firstMax = i === 0 && first >= 24 ? Math.min(first, 75) : 75;
      words.push(...phraseWords(mailbox.name, smtpUtf8, firstMax), `<${spec}>${comma}`);
    }
  });
  return words;
}
