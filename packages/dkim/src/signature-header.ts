import type { DkimAlgorithm, DkimCanonicalization } from "./options.ts";

/** Lines of the field are kept to this length (RFC 5322 §2.1.1). */
const LINE = 78;

/**
 * The tag values of one DKIM-Signature field, but `b=`.
 *
 * @since 0.1.0
 */
export interface SignatureTags {
  algorithm: DkimAlgorithm;
  canonicalization: DkimCanonicalization;
  domain: string;
  selector: string;
  /** Signing time, seconds since the epoch (`t=`). */
  timestamp: number;
  /** Expiry, seconds since the epoch (`x=`). */
  expires: number | undefined;
  /** `h=`, in order, lower case. */
  headerNames: readonly string[];
  /** `bh=`, base64. */
  bodyHash: string;
}

/** Builds a folded header field: pieces are joined, and a line break goes in where one would grow too long. */
class Folder {
  text: string;
  #line: number;

  constructor(start: string) {
    this.text = start;
    this.#line = start.length;
  }

  /** Adds `piece` after `gap` (" " or ""), or on a new line when it would not fit. */
  add(piece: string, gap: string): void {
    if (this.#line + gap.length + piece.length > LINE && this.#line > 1) {
      // Folding whitespace: allowed between tags, and around the colons of h=.
      this.text += "\r\n ";
      this.#line = 1;
    } else {
      this.text += gap;
      this.#line += gap.length;
    }
    this.text += piece;
    this.#line += piece.length;
  }

  /** Adds base64 text, breaking it across lines as needed (FWS is allowed inside b=). */
  addBase64(value: string): void {
    let rest = value;
    while (rest.length > 0) {
      if (this.#line >= LINE) {
        this.text += "\r\n ";
        this.#line = 1;
      }
      const piece = rest.slice(0, LINE - this.#line);
      this.text += piece;
      this.#line += piece.length;
      rest = rest.slice(piece.length);
    }
  }
}

/**
 * The DKIM-Signature field up to and including `b=`, folded, without a line end: the text
 * that is hashed (with the header fields) and then completed by {@link completeSignatureField}.
 * `b=` comes last, so the text a verifier hashes after emptying `b=` is exactly this.
 * No `l=` is ever written: the whole body is always signed.
 *
 * @since 0.1.0
 */
export function signatureFieldPrefix(tags: SignatureTags): string {
  const folder = new Folder("DKIM-Signature:");
  folder.add("v=1;", " ");
  folder.add(`a=${tags.algorithm};`, " ");
  folder.add(`c=${tags.canonicalization};`, " ");
  folder.add(`d=${tags.domain};`, " ");
  folder.add(`s=${tags.selector};`, " ");
  folder.add(`t=${tags.timestamp};`, " ");
  if (tags.expires !== undefined) folder.add(`x=${tags.expires};`, " ");
  tags.headerNames.forEach((name, i) => {
    const last = i === tags.headerNames.length - 1;
    folder.add(`${i === 0 ? "h=" : ""}${name}${last ? ";" : ":"}`, i === 0 ? " " : "");
  });
  folder.add(`bh=${tags.bodyHash};`, " ");
  folder.add("b=", " ");
  return folder.text;
}

/**
 * The complete field: the prefix, the signature in base64 (folded), and CRLF.
 *
 * @since 0.1.0
 */
export function completeSignatureField(prefix: string, signature: string): string {
  const lastBreak = prefix.lastIndexOf("\r\n");
  const folder = new Folder(prefix.slice(lastBreak < 0 ? 0 : lastBreak + 2));
  folder.addBase64(signature);
  return `${prefix.slice(0, lastBreak < 0 ? 0 : lastBreak + 2)}${folder.text}\r\n`;
}
