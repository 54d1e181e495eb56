/** Input octets per 76-character base64 line. */
const LINE_INPUT = 57;
/** Lines per encoded block: 1150 × 57 = 65 550 input octets (about 64 KiB). */
const BLOCK_LINES = 1150;

/**
 * Input octets per encoded block and per read slice of in-memory content (about 64 KiB,
 * a whole number of lines).
 *
 * @since 0.1.0
 */
export const READ_BLOCK = LINE_INPUT * BLOCK_LINES;

/**
 * The base64 alphabet (RFC 4648 §4).
 *
 * @since 0.1.0
 */
export const BASE64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** The alphabet as octets, for the streaming encoder. */
const TABLE = Uint8Array.from(BASE64_ALPHABET, (ch) => ch.charCodeAt(0));

/**
 * The size of {@link encodeBase64Lines} output for `length` input octets, the final CRLF
 * included (a zero-length body is a lone CRLF, the delimiter's).
 *
 * @since 0.1.0
 */
export function base64BodySize(length: number): number {
  if (length === 0) return 2;
  return Math.ceil(length / 3) * 4 + 2 * Math.ceil(length / LINE_INPUT);
}

/**
 * Base64 of `input[start, end)` as 76-column lines, each ending in CRLF. Only the last
 * call for a body may pass a length that is not a multiple of 57.
 *
 * @since 0.1.0
 */
export function encodeBase64Lines(
  input: Uint8Array,
  start: number,
  end: number,
  target?: Uint8Array,
): Uint8Array {
  const length = end - start;
  const size = base64BodySize(length);
  // Into the caller's buffer when it has room (the reuse mode), else a fresh array.
  const out =
    target !== undefined && target.length >= size ? target.subarray(0, size) : new Uint8Array(size);
  if (length === 0) {
    out[0] = 13;
    out[1] = 10;
    return out;
  }
  writeLines(input, start, end, out, 0);
  return out;
}

/** Writes the base64 lines of `input[start, end)` into `out` at `o`; returns the end offset. */
function writeLines(
  input: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array,
  o: number,
): number {
  let i = start;
  while (i < end) {
    const lineEnd = Math.min(i + LINE_INPUT, end);
    const whole = lineEnd - ((lineEnd - i) % 3);
    for (; i < whole; i += 3) {
      const n = (input[i]! << 16) | (input[i + 1]! << 8) | input[i + 2]!;
      out[o++] = TABLE[n >>> 18]!;
      out[o++] = TABLE[(n >>> 12) & 63]!;
      out[o++] = TABLE[(n >>> 6) & 63]!;
      out[o++] = TABLE[n & 63]!;
    }
    const rest = lineEnd - i;
    if (rest > 0) {
      const n = (input[i]! << 16) | (rest === 2 ? input[i + 1]! << 8 : 0);
      out[o++] = TABLE[n >>> 18]!;
      out[o++] = TABLE[(n >>> 12) & 63]!;
      out[o++] = rest === 2 ? TABLE[(n >>> 6) & 63]! : 61;
      out[o++] = 61;
      i = lineEnd;
    }
    out[o++] = 13;
    out[o++] = 10;
  }
  return o;
}

/**
 * Encodes a byte stream as base64 lines, one block (about 64 KiB of input) at a time;
 * holds at most one partial line between chunks, never the whole content. With `reuse`,
 * every block lands in the same buffer, so a chunk is only valid until the next pull.
 *
 * @since 0.1.0
 */
export async function* base64Stream(
  source: AsyncIterable<Uint8Array>,
  reuse = false,
): AsyncGenerator<Uint8Array, void, undefined> {
  const carry = new Uint8Array(LINE_INPUT);
  // Reuse mode: every block is encoded into this one buffer, valid until the next pull.
  const target = reuse ? new Uint8Array(BLOCK_LINES * 78) : undefined;
  let carried = 0;
  let total = 0;
  // Each chunk is used up (encoded, its tail copied to `carry`) before the next is asked
  // for: a source may refill one buffer (ReopenableContent says so).
  for await (const chunk of source) {
    total += chunk.length;
    let offset = 0;
    if (carried > 0) {
      const take = Math.min(LINE_INPUT - carried, chunk.length);
      carry.set(chunk.subarray(0, take), carried);
      carried += take;
      offset = take;
      if (carried < LINE_INPUT) continue;
      // The completed line leads the block of the lines after it rather than going out
      // alone (a consumer that writes each block then makes one write, not two).
      const lines = Math.min(Math.floor((chunk.length - offset) / LINE_INPUT), BLOCK_LINES - 1);
      const size = (1 + lines) * 78;
      const out = target ?? new Uint8Array(size);
      writeLines(carry, 0, LINE_INPUT, out, 0);
      writeLines(chunk, offset, offset + lines * LINE_INPUT, out, 78);
      offset += lines * LINE_INPUT;
      carried = 0;
      yield out.subarray(0, size);
    }
    while (chunk.length - offset >= LINE_INPUT) {
      const lines = Math.min(Math.floor((chunk.length - offset) / LINE_INPUT), BLOCK_LINES);
      const end = offset + lines * LINE_INPUT;
      yield encodeBase64Lines(chunk, offset, end, target);
      offset = end;
    }
    carry.set(chunk.subarray(offset), 0);
    carried = chunk.length - offset;
  }
  if (carried > 0 || total === 0) yield encodeBase64Lines(carry, 0, carried, target);
}
