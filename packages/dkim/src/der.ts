/**
 * Just enough DER (X.690) to read a private key's outline and to wrap a PKCS#1 RSA key into
 * PKCS#8, which is what WebCrypto imports. Definite lengths only, as DER requires.
 */

/** One TLV: its tag and where its content lies in the buffer. @since 0.1.0 */
export interface Tlv {
  tag: number;
  /** First content byte. */
  start: number;
  /** One past the last content byte. */
  end: number;
}

/** ASN.1 tags used here. @since 0.1.0 */
export const TAG = {
  integer: 0x02,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  sequence: 0x30,
} as const;

/**
 * Reads the TLV at `offset`, which must lie within `[offset, limit)`. Returns `undefined`
 * for anything malformed (truncated, indefinite or over-long lengths).
 *
 * @since 0.1.0
 */
export function readTlv(bytes: Uint8Array, offset: number, limit = bytes.length): Tlv | undefined {
  if (offset + 2 > limit) return undefined;
  const tag = bytes[offset]!;
  let length = bytes[offset + 1]!;
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    // 0x80 is BER's indefinite length; four length bytes are more than any key needs.
    if (count === 0 || count > 4 || start + count > limit) return undefined;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[start + i]!;
    start += count;
  }
  const end = start + length;
  return end > limit ? undefined : { tag, start, end };
}

/**
 * The TLVs directly inside a constructed value's content, or `undefined` when they do not
 * tile it exactly.
 *
 * @since 0.1.0
 */
export function readChildren(bytes: Uint8Array, parent: Tlv): Tlv[] | undefined {
  const children: Tlv[] = [];
  for (let offset = parent.start; offset < parent.end; ) {
    const child = readTlv(bytes, offset, parent.end);
    if (child === undefined) return undefined;
    children.push(child);
    offset = child.end;
  }
  return children;
}

/**
 * Encodes one TLV around `content`.
 *
 * @since 0.1.0
 */
export function writeTlv(tag: number, content: Uint8Array): Uint8Array<ArrayBuffer> {
  const length = content.length;
  const lengthBytes: number[] = [];
  if (length < 0x80) lengthBytes.push(length);
  else {
    for (let n = length; n > 0; n = Math.floor(n / 256)) lengthBytes.unshift(n % 256);
    lengthBytes.unshift(0x80 | lengthBytes.length);
  }
  const out = new Uint8Array(1 + lengthBytes.length + length);
  out[0] = tag;
  out.set(lengthBytes, 1);
  out.set(content, 1 + lengthBytes.length);
  return out;
}

/**
 * Whether the content of `tlv` equals `expected`.
 *
 * @since 0.1.0
 */
export function contentEquals(bytes: Uint8Array, tlv: Tlv, expected: Uint8Array): boolean {
  if (tlv.end - tlv.start !== expected.length) return false;
  for (let i = 0; i < expected.length; i++) if (bytes[tlv.start + i] !== expected[i]) return false;
  return true;
}

/**
 * The bit length of a non-negative INTEGER's value (leading zero octets ignored).
 *
 * @since 0.1.0
 */
export function integerBits(bytes: Uint8Array, tlv: Tlv): number {
  let i = tlv.start;
  while (i < tlv.end && bytes[i] === 0) i++;
  if (i === tlv.end) return 0;
  return (tlv.end - i - 1) * 8 + (32 - Math.clz32(bytes[i]!));
}
