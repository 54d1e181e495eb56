// Test helpers: fixed clock and randomness, expected values from an input, wire checks.
import { domainToASCII } from "node:url";
import { expect } from "vitest";
import {
  type AddressInput,
  type AddressListInput,
  type BuildOptions,
  type MessageInput,
  MimeError,
} from "../src/index.ts";
import {
  normalizeText,
  type ParsedAddress,
  type ParsedMessage,
  parseWithMailparser,
  parseWithPostalMime,
  sha256,
} from "./parse-back.ts";

/** A deterministic byte source (xorshift), so every run draws the same boundaries and ids. */
export function seededRandom(seed = 0x2545f491): (length: number) => Uint8Array {
  let state = seed >>> 0 || 1;
  return (length) => {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      state ^= state << 13;
      state >>>= 0;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      out[i] = state & 0xff;
    }
    return out;
  };
}

/** The message of the MimeError `run` throws ("field: what was wrong"); fails on anything else. */
export function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof MimeError) return error.message;
    throw error;
  }
  throw new Error("expected a MimeError");
}

/** Message bytes as a string, one character per octet (for matching headers and base64 lines). */
export const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("latin1");

/** 2026-11-29 03:45:06 UTC, written at +01:00. */
export const FIXED_NOW = new Date(Date.UTC(2026, 10, 29, 3, 45, 6));

export function fixedOptions(extra: Partial<BuildOptions> = {}): BuildOptions {
  return { now: FIXED_NOW, timeZoneOffset: 60, randomBytes: seededRandom(), ...extra };
}

/** Test-side reading of simple address inputs (our own inputs only, never user data). */
function expectedAddresses(input: AddressListInput | undefined): ParsedAddress[] {
  if (input === undefined) return [];
  const list: readonly AddressInput[] = Array.isArray(input) ? input : [input as AddressInput];
  return list.map((a) => {
    if (typeof a !== "string") return { name: a.name ?? "", address: a.address };
    const m = /^(.*?)\s*<([^<>]*)>$/.exec(a);
    if (m === null) return { name: "", address: a };
    return { name: m[1]!.replace(/^"|"$/g, ""), address: m[2]! };
  });
}

/** Local part unquoted, domain in punycode and lower case: how two parsers can agree. */
export function canonicalAddress(address: string): string {
  const at = address.lastIndexOf("@");
  let local = address.slice(0, at);
  if (local.startsWith('"') && local.endsWith('"'))
    local = local.slice(1, -1).replace(/\\(.)/g, "$1");
  const domain = domainToASCII(address.slice(at + 1)) || address.slice(at + 1);
  return `${local}@${domain.toLowerCase()}`;
}

function canonical(list: ParsedAddress[]): ParsedAddress[] {
  return list.map((a) => ({ name: a.name, address: canonicalAddress(a.address) }));
}

export interface ExpectedAttachment {
  filename: string | undefined;
  contentType: string;
  cid: string | undefined;
  /** The exact content's hash; or, for text parts whose line ends parsers rewrite, `text`. */
  sha256?: string;
  /** The content as text, compared with line ends and a final newline normalised. */
  text?: string;
}

export function expectParsedMatches(
  parsed: ParsedMessage,
  input: MessageInput,
  attachments: ExpectedAttachment[],
): void {
  expect(canonical(parsed.from)).toEqual(canonical(expectedAddresses(input.from)));
  expect(canonical(parsed.to)).toEqual(canonical(expectedAddresses(input.to)));
  expect(canonical(parsed.cc)).toEqual(canonical(expectedAddresses(input.cc)));
  expect(canonical(parsed.replyTo)).toEqual(canonical(expectedAddresses(input.replyTo)));
  expect(parsed.subject ?? "").toBe(input.subject ?? "");
  if (input.text !== undefined) expect(parsed.text ?? "").toBe(normalizeText(input.text));
  if (input.html !== undefined) expect(parsed.html ?? "").toBe(normalizeText(input.html));
  const type = (contentType: string) => contentType.split(";")[0]!.trim().toLowerCase();
  const want = attachments.map((a) => ({
    filename: a.filename,
    contentType: type(a.contentType),
    cid: a.cid,
    ...(a.text !== undefined ? { text: normalizeText(a.text) } : { sha256: a.sha256 }),
  }));
  const sortKey = (a: {
    filename?: string | undefined;
    cid?: string | undefined;
    contentType: string;
  }) => `${a.filename}|${a.cid}|${a.contentType}`;
  const byText = new Set(want.filter((w) => "text" in w).map(sortKey));
  const got = parsed.attachments.map((a) => {
    const base = { filename: a.filename, contentType: type(a.contentType), cid: a.cid };
    return byText.has(sortKey(base)) ? { ...base, text: a.text } : { ...base, sha256: a.sha256 };
  });
  expect(got.sort((a, b) => sortKey(a).localeCompare(sortKey(b)))).toEqual(
    want.sort((a, b) => sortKey(a).localeCompare(sortKey(b))),
  );
}

/** Parses with both parsers and checks every field against the input. */
export async function expectRoundTrip(
  bytes: Uint8Array,
  input: MessageInput,
  attachments: ExpectedAttachment[],
): Promise<void> {
  expectParsedMatches(await parseWithMailparser(bytes), input, attachments);
  expectParsedMatches(await parseWithPostalMime(bytes), input, attachments);
}

export { sha256 };

/**
 * Wire rules: every line ends in CRLF (no bare CR or LF) and is at most 998 octets;
 * header lines (of the message and of every part) are ASCII unless SMTPUTF8 mode.
 */
export function expectWellFormedLines(bytes: Uint8Array, smtpUtf8 = false): void {
  expect(bytes.length).toBeGreaterThan(0);
  expect(bytes.at(-2)).toBe(13);
  expect(bytes.at(-1)).toBe(10);
  let start = 0;
  let inHeaders = true;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 13) {
      expect(bytes[i + 1], `bare CR at ${i}`).toBe(10);
    } else if (b === 10) {
      expect(bytes[i - 1], `bare LF at ${i}`).toBe(13);
      const line = bytes.subarray(start, i - 1);
      expect(line.length, `line at ${start} is ${line.length} octets`).toBeLessThanOrEqual(998);
      const text = Buffer.from(line).toString("latin1");
      if (inHeaders) {
        if (line.length === 0) inHeaders = false;
        else if (!smtpUtf8)
          expect(
            line.every((c) => c < 0x80),
            `non-ASCII header: ${text}`,
          ).toBe(true);
      } else if (/^--=_[0-9a-f]{24}$/.test(text)) {
        // A delimiter line (our boundary form): a part's header section follows.
        inHeaders = true;
      }
      start = i + 1;
    }
  }
}
