import { utf8 } from "./bytes.ts";
import { SmtpError, type SmtpErrorDetail } from "./errors.ts";
import { DEFAULT_LIMITS } from "./limits.ts";
import type { Reply } from "./reply-types.ts";
import type { Limits } from "./session-types.ts";

/**
 * A reply together with the raw text of its lines (code and separator included, CRLF
 * excluded), as the transcript shows them.
 *
 * @since 0.1.0
 */
export interface ParsedReply {
  /** The reply, lines split from their codes. */
  reply: Reply;
  /** Each line as received, without CRLF. */
  raw: string[];
}

const LF = 0x0a;
const CR = 0x0d;
const ENHANCED = /^([245])\.(\d{1,3})\.(\d{1,3})(?=$| )/;

function protocolError(detail: SmtpErrorDetail, message: string): SmtpError {
  return new SmtpError({ kind: "protocol", message, detail, retryable: false });
}

/**
 * Splits a reply text into an RFC 3463 enhanced status code and the rest, when the text
 * starts with one whose class matches the reply code's first digit.
 *
 * @param code - the reply's three-digit code.
 * @param text - a line's text after the code and separator.
 * @returns the enhanced code ("5.7.8") or `undefined`, and the text after it.
 * @since 0.1.0
 */
export function splitEnhancedCode(
  code: number,
  text: string,
): {
  /** The enhanced code, e.g. "5.1.1", when the text starts with one matching the reply's class. */
  enhancedCode: string | undefined;
  /** The text after it. */
  text: string;
} {
  // Most texts do not start with "<class>." at all: no regex then.
  if (text.charCodeAt(1) !== 0x2e) return { enhancedCode: undefined, text };
  const match = ENHANCED.exec(text);
  if (match === null || Number(match[1]) !== Math.floor(code / 100)) {
    return { enhancedCode: undefined, text };
  }
  return { enhancedCode: match[0], text: text.slice(match[0].length).replace(/^ /, "") };
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/**
 * An incremental, bounded parser of SMTP replies (RFC 5321 §4.2). Feed it the server's bytes
 * in any chunking; take complete replies with {@link ReplyParser.next}.
 *
 * It checks that every line starts with a three-digit code from 200 to 599 followed by
 * `-`, a space or the end of the line; that every line of one reply has the same code;
 * that no line exceeds `maxLineLength` (an endless line is refused as soon as the buffered
 * part exceeds the bound, so memory never grows without limit); and that no reply has more
 * than `maxReplyLines` lines. Lines may end in CRLF or a bare LF. Violations throw an
 * {@link SmtpError} of kind `protocol` with `detail` `line-too-long`, `too-many-lines`,
 * `bad-reply` or `inconsistent-code`; the parser is then unusable.
 *
 * @since 0.1.0
 */
export class ReplyParser {
  readonly #limits: Limits;
  readonly #decoder = new TextDecoder("utf-8");
  /** Received bytes live in `#buffer[#start, #end)`; the buffer grows by doubling. */
  #buffer: Uint8Array = new Uint8Array(256);
  #start = 0;
  #end = 0;
  /** Where the search for the next LF resumes (bytes before it hold none). */
  #scanned = 0;
  #lines: string[] = [];
  #code = 0;

  /** @param limits - line-length and line-count bounds; defaults to {@link DEFAULT_LIMITS}. */
  constructor(limits: Partial<Limits> = {}) {
    this.#limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** Bytes received and not yet consumed by {@link ReplyParser.next}. */
  get buffered(): number {
    return this.#end - this.#start;
  }

  /** Whether anything of an unfinished reply is held: bytes, or the first lines of a multi-line reply. */
  get pending(): boolean {
    return this.buffered > 0 || this.#lines.length > 0;
  }

  /** Drops everything held (the session is over). */
  clear(): void {
    this.#buffer = new Uint8Array(256);
    this.#start = 0;
    this.#end = 0;
    this.#scanned = 0;
    this.#lines = [];
  }

  /** Appends server bytes; call {@link ReplyParser.next} until it returns `null`. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const rest = this.#end - this.#start;
    if (this.#start > 0 && (rest === 0 || this.#end + chunk.length > this.#buffer.length)) {
      // Move the unread bytes to the front before growing.
      this.#buffer.copyWithin(0, this.#start, this.#end);
      this.#scanned -= this.#start;
      this.#start = 0;
      this.#end = rest;
    }
    if (this.#end + chunk.length > this.#buffer.length) {
      let size = this.#buffer.length * 2;
      while (size < this.#end + chunk.length) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.#buffer.subarray(0, this.#end));
      this.#buffer = grown;
    }
    this.#buffer.set(chunk, this.#end);
    this.#end += chunk.length;
  }

  /**
   * Returns the next complete reply, or `null` when more bytes are needed.
   *
   * @throws {@link SmtpError} of kind `protocol` on a malformed or overlong reply.
   */
  next(): ParsedReply | null {
    for (;;) {
      // Bytes past #end are stale: an LF found there does not count.
      let end = this.#buffer.indexOf(LF, Math.max(this.#scanned, this.#start));
      if (end >= this.#end) end = -1;
      const max = this.#limits.maxLineLength;
      if (end < 0) {
        this.#scanned = this.#end;
        // Without a line end, at most the bound plus a CR may wait in the buffer.
        if (this.#end - this.#start > max + 1) {
          throw protocolError("line-too-long", `reply line longer than ${max} octets`);
        }
        return null;
      }
      let stop = end;
      if (stop > this.#start && this.#buffer[stop - 1] === CR) stop--;
      if (stop - this.#start > max) {
        throw protocolError("line-too-long", `reply line longer than ${max} octets`);
      }
      const line = this.#decoder.decode(this.#buffer.subarray(this.#start, stop));
      this.#start = end + 1;
      const reply = this.#line(line);
      if (reply !== null) return reply;
    }
  }

  #line(line: string): ParsedReply | null {
    // What /^([2-5][0-9][0-9])([ -]|$)/ says, without a match object per line.
    const c0 = line.charCodeAt(0);
    const c1 = line.charCodeAt(1);
    const c2 = line.charCodeAt(2);
    const separator = line.length === 3 ? "" : line[3];
    if (
      !(c0 >= 0x32 && c0 <= 0x35 && isDigit(c1) && isDigit(c2)) ||
      (separator !== "" && separator !== " " && separator !== "-")
    ) {
      throw protocolError("bad-reply", "malformed reply line from the server");
    }
    const code = (c0 - 0x30) * 100 + (c1 - 0x30) * 10 + (c2 - 0x30);
    if (this.#lines.length > 0 && code !== this.#code) {
      throw protocolError("inconsistent-code", "reply lines carry different codes");
    }
    this.#code = code;
    this.#lines.push(line);
    if (separator === "-") {
      if (this.#lines.length >= this.#limits.maxReplyLines) {
        throw protocolError(
          "too-many-lines",
          `reply longer than ${this.#limits.maxReplyLines} lines`,
        );
      }
      return null;
    }
    const raw = this.#lines;
    this.#lines = [];
    return { reply: buildReply(code, raw), raw };
  }
}

function buildReply(code: number, raw: string[]): Reply {
  const first = splitEnhancedCode(code, raw[0]!.slice(4));
  const lines = raw.map((line, i) => {
    const text = line.slice(4);
    if (i === 0) return first.text;
    // Continuation lines usually repeat the enhanced code: drop it there too.
    return first.enhancedCode !== undefined && text.startsWith(first.enhancedCode)
      ? splitEnhancedCode(code, text).text
      : text;
  });
  return first.enhancedCode === undefined
    ? { code, lines }
    : { code, enhancedCode: first.enhancedCode, lines };
}

/**
 * Parses one complete reply from text (lines separated by CRLF or LF). Convenient for tests
 * and tools; the engine uses {@link ReplyParser}.
 *
 * @throws {@link SmtpError} of kind `protocol` when the text is not exactly one reply.
 * @since 0.1.0
 */
export function parseReply(text: string, limits: Partial<Limits> = {}): Reply {
  const parser = new ReplyParser(limits);
  parser.push(utf8(text.endsWith("\n") ? text : `${text}\r\n`));
  const parsed = parser.next();
  if (parsed === null || parser.pending) {
    throw protocolError("bad-reply", "not exactly one complete reply");
  }
  return parsed.reply;
}
