import { MimeError } from "./errors.ts";
import { utf8Length } from "./text.ts";

/**
 * Preferred line length (RFC 5322 §2.1.1).
 *
 * @since 0.1.0
 */
export const FOLD_AT = 78;
/**
 * Hard line limit in octets, without CRLF (RFC 5322 §2.1.1).
 *
 * @since 0.1.0
 */
export const MAX_LINE = 998;

/**
 * Writes one header field: `Name: w1 w2`, folding between words (a space becomes CRLF +
 * space) so lines stay within {@link FOLD_AT} octets where the words allow, and never over
 * {@link MAX_LINE}. The only place that folds. Empty words keep repeated spaces intact.
 *
 * @since 0.1.0
 */
export function foldHeader(name: string, words: readonly string[]): string {
  let out = `${name}:`;
  let lineLength = out.length;
  words.forEach((word, index) => {
    const length = utf8Length(word);
    // Never fold before the first word (the value starts on the field's own line), nor
    // before an empty word (a run of spaces must stay as it is).
    if (index > 0 && word !== "" && lineLength + 1 + length > FOLD_AT) {
      out += "\r\n";
      lineLength = 0;
    }
    out += ` ${word}`;
    lineLength += 1 + length;
    if (lineLength > MAX_LINE) {
      throw new MimeError(`headers.${name}`, `a word longer than ${MAX_LINE} octets`);
    }
  });
  return `${out}\r\n`;
}
