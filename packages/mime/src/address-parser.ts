import { MimeError } from "./errors.ts";

/**
 * The longest address string the parser accepts (in UTF-16 code units). Longer input is
 * refused before any parsing (R4).
 *
 * @since 0.1.0
 */
export const MAX_ADDRESS_INPUT = 1024 * 1024;

/** Tokens in one mailbox (name words, dots, local part, domain): far above any real address. */
const MAX_TOKENS_PER_ADDRESS = 1000;
/** Characters in one word (atom, quoted string or domain literal). */
const MAX_WORD = 2048;

/**
 * One mailbox as the parser found it: the display name (decoded phrase, may be empty) and
 * the addr-spec split at its one unquoted `@`.
 *
 * @since 0.1.0
 */
export interface ParsedMailbox {
  /** The display name, decoded; "" when there is none. */
  name: string;
  /** Unquoted local part (the value, not its quoted form). */
  local: string;
  /** The domain as written (may be Unicode, or a `[literal]`). */
  domain: string;
}

type TokenKind = "atom" | "quoted" | "literal" | "special";
interface Token {
  kind: TokenKind;
  value: string;
  /** Whitespace or a comment came before it (kept only to rebuild display names). */
  spaced: boolean;
}

const SPECIALS = '()<>@,;:\\".[]';
/** 1 for ASCII characters that may be part of an atom (a lookup: this runs per character). */
const ATOM_ASCII = new Uint8Array(128);
for (let c = 0x21; c < 0x7f; c++) ATOM_ASCII[c] = SPECIALS.includes(String.fromCharCode(c)) ? 0 : 1;

function specialTokens(spaced: boolean): (Token | undefined)[] {
  const table: (Token | undefined)[] = new Array(128).fill(undefined);
  for (const ch of "<>@,;:.") {
    table[ch.charCodeAt(0)] = Object.freeze({ kind: "special", value: ch, spaced });
  }
  return table;
}
const SPECIAL_TOKENS = specialTokens(false);
const SPACED_SPECIALS = specialTokens(true);

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/**
 * Whether a UTF-16 code unit is RFC 5322 atext (RFC 6532: any non-ASCII too). Specials,
 * spaces and controls end an atom. The one atext test of the package.
 *
 * @since 0.1.0
 */
export function isAtomChar(c: number): boolean {
  return c > 0x7f || ATOM_ASCII[c] === 1;
}

/**
 * Splits address text into tokens in one left-to-right pass. Comments are skipped with a
 * depth counter (never recursion), so nesting depth costs nothing but a number.
 */
function tokenize(field: string, text: string, sink: (token: Token) => void): void {
  const n = text.length;
  let i = 0;
  let spaced = false;
  const push = (kind: TokenKind, value: string): void => {
    if (value.length > MAX_WORD)
      throw new MimeError(field, `a word longer than ${MAX_WORD} characters`);
    sink({ kind, value, spaced });
    spaced = false;
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      spaced = true;
    } else if (c === 0x28 /* ( */) {
      spaced = true;
      let depth = 1;
      i++;
      while (i < n && depth > 0) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i += 2;
        else {
          if (d === 0x28) depth++;
          else if (d === 0x29) depth--;
          i++;
        }
      }
      if (depth > 0) throw new MimeError(field, "unterminated comment");
    } else if (c === 0x22 /* " */) {
      const start = ++i;
      let escaped = false;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) {
          escaped = true;
          i += 2;
        } else if (d === 0x22) break;
        else i++;
      }
      if (i >= n) throw new MimeError(field, "unterminated quoted string");
      if (i - start > MAX_WORD)
        throw new MimeError(field, `a word longer than ${MAX_WORD} characters`);
      const raw = text.slice(start, i);
      i++;
      // One linear replace for quoted-pairs, only when there are any.
      push("quoted", escaped ? raw.replace(/\\([\s\S])/g, "$1") : raw);
    } else if (c === 0x5b /* [ */) {
      const end = text.indexOf("]", i + 1);
      if (end < 0) throw new MimeError(field, "unterminated domain literal");
      const inner = text.slice(i + 1, end);
      if (/[[\\\s]/.test(inner)) throw new MimeError(field, "invalid domain literal");
      push("literal", text.slice(i, end + 1));
      i = end + 1;
    } else if (isAtomChar(c)) {
      const start = i;
      while (i < n && isAtomChar(text.charCodeAt(i))) i++;
      push("atom", text.slice(start, i));
    } else if (c === 0x29 || c === 0x5d || c === 0x5c) {
      throw new MimeError(field, `unexpected "${text[i]}" at index ${i}`);
    } else if (c < 0x20 || c === 0x7f) {
      throw new MimeError(field, `control character at index ${i}`);
    } else {
      // Specials are frequent in hostile input: shared, frozen tokens avoid an allocation.
      const shared = (spaced ? SPACED_SPECIALS : SPECIAL_TOKENS)[c];
      if (shared === undefined) throw new MimeError(field, `unexpected character at index ${i}`);
      sink(shared);
      spaced = false;
      i++;
    }
  }
}

function isSpecial(token: Token | undefined, value: string): boolean {
  return token !== undefined && token.kind === "special" && token.value === value;
}

/**
 * Parses an address list (`a@b.example, "Name" <c@d.example>, Group: e@f.example;`).
 * Linear in the input: one tokenising pass, then one pass over the tokens. Group names
 * are dropped and their members flattened.
 *
 * @throws MimeError when the text is not a valid address list or is over {@link MAX_ADDRESS_INPUT}.
 * @since 0.1.0
 */
export function parseAddressList(field: string, text: string): ParsedMailbox[] {
  if (text.length > MAX_ADDRESS_INPUT) {
    throw new MimeError(field, `address text longer than ${MAX_ADDRESS_INPUT} characters`);
  }
  const result: ParsedMailbox[] = [];
  // Tokens of the mailbox being read; structural errors are raised as soon as a token
  // makes the input invalid, so hostile input fails early.
  let tokens: Token[] = [];
  let inGroup = false;
  let angle = false;
  let closed = false;
  let ats = 0;
  const flush = (): void => {
    if (angle) throw new MimeError(field, `"<" without ">"`);
    if (tokens.length > 0) {
      result.push(parseMailbox(field, tokens, 0, tokens.length));
      tokens = [];
    }
    closed = false;
    ats = 0;
  };
  tokenize(field, text, (t) => {
    const separator = t.kind === "special" && (t.value === "," || t.value === ";");
    if (closed && !separator) throw new MimeError(field, `text after ">"`);
    if (t.kind === "special") {
      switch (t.value) {
        case ",":
        case ";":
          if (angle) throw new MimeError(field, `"${t.value}" inside "<…>"`);
          flush();
          if (t.value === ";") {
            if (!inGroup) throw new MimeError(field, `";" outside a group`);
            inGroup = false;
          }
          return;
        case ":":
          if (angle) throw new MimeError(field, `":" inside "<…>"`);
          if (inGroup) throw new MimeError(field, "nested group");
          checkPhrase(field, tokens, 0, tokens.length);
          inGroup = true;
          tokens = [];
          ats = 0;
          return;
        case "<":
          if (angle) throw new MimeError(field, `nested "<"`);
          checkPhrase(field, tokens, 0, tokens.length);
          angle = true;
          ats = 0;
          break;
        case ">":
          if (!angle) throw new MimeError(field, `">" without "<"`);
          angle = false;
          closed = true;
          break;
        case "@":
          if (++ats > 1) throw new MimeError(field, `more than one unquoted "@"`);
          break;
      }
    }
    if (tokens.push(t) > MAX_TOKENS_PER_ADDRESS) {
      throw new MimeError(field, `more than ${MAX_TOKENS_PER_ADDRESS} words in one address`);
    }
  });
  flush();
  if (inGroup) throw new MimeError(field, `group without ";"`);
  return result;
}

/**
 * Parses a bare addr-spec (`local@domain`, no display name or angle brackets).
 *
 * @since 0.1.0
 */
export function parseAddrSpec(field: string, text: string): ParsedMailbox {
  if (text.length > MAX_ADDRESS_INPUT) {
    throw new MimeError(field, `address text longer than ${MAX_ADDRESS_INPUT} characters`);
  }
  const tokens: Token[] = [];
  tokenize(field, text, (t) => tokens.push(t));
  return parseSpec(field, tokens, 0, tokens.length, "");
}

function checkPhrase(field: string, tokens: Token[], start: number, end: number): void {
  for (let i = start; i < end; i++) {
    const t = tokens[i]!;
    if (t.kind === "special" && t.value !== ".") {
      throw new MimeError(field, `unexpected "${t.value}" in a display name`);
    }
    if (t.kind === "literal") throw new MimeError(field, "unexpected domain literal in a name");
  }
}

function phraseText(tokens: Token[], start: number, end: number): string {
  let out = "";
  for (let i = start; i < end; i++) {
    const t = tokens[i]!;
    out += (t.spaced && out !== "" ? " " : "") + t.value;
  }
  return out;
}

function parseMailbox(field: string, tokens: Token[], start: number, end: number): ParsedMailbox {
  let open = -1;
  for (let i = start; i < end; i++) {
    if (isSpecial(tokens[i], "<")) {
      open = i;
      break;
    }
  }
  if (open < 0) return parseSpec(field, tokens, start, end, "");
  const close = end - 1;
  if (!isSpecial(tokens[close], ">")) throw new MimeError(field, `text after ">"`);
  checkPhrase(field, tokens, start, open);
  return parseSpec(field, tokens, open + 1, close, phraseText(tokens, start, open));
}

function parseSpec(
  field: string,
  tokens: Token[],
  start: number,
  end: number,
  name: string,
): ParsedMailbox {
  let at = -1;
  for (let i = start; i < end; i++) {
    if (isSpecial(tokens[i], "@")) {
      if (at >= 0) throw new MimeError(field, `more than one unquoted "@"`);
      at = i;
    }
  }
  if (at < 0) throw new MimeError(field, `no "@" in the address`);
  let local = "";
  let expectWord = true;
  for (let i = start; i < at; i++) {
    const t = tokens[i]!;
    if (t.kind === "atom" || t.kind === "quoted") {
      if (!expectWord) throw new MimeError(field, "invalid local part");
      local += t.value;
      expectWord = false;
    } else if (t.kind === "special" && t.value === ".") {
      if (expectWord) throw new MimeError(field, `misplaced "." in the local part`);
      local += ".";
      expectWord = true;
    } else throw new MimeError(field, `unexpected "${t.value}" in the local part`);
  }
  if (at === start) throw new MimeError(field, "empty local part");
  if (expectWord) throw new MimeError(field, `local part ends with "."`);
  let domain = "";
  if (at + 2 === end && tokens[at + 1]!.kind === "literal") {
    domain = tokens[at + 1]!.value;
  } else {
    expectWord = true;
    for (let i = at + 1; i < end; i++) {
      const t = tokens[i]!;
      if (t.kind === "atom" && expectWord) {
        domain += t.value;
        expectWord = false;
      } else if (t.kind === "special" && t.value === "." && !expectWord) {
        domain += ".";
        expectWord = true;
      } else throw new MimeError(field, "invalid domain");
    }
    if (expectWord) throw new MimeError(field, "empty or invalid domain");
  }
  return { name, local, domain };
}
