import { utf8 } from "./bytes.ts";
/**
 * Encodes text as xtext (RFC 3461 §4): printable ASCII other than `+` and `=` stays, every
 * other octet of its UTF-8 form becomes `+XX`. Used for ENVID and ORCPT, so their values
 * can never break the command line.
 *
 * @since 0.1.0
 */
export function encodeXtext(text: string): string {
  let out = "";
  for (const byte of utf8(text)) {
    out +=
      byte >= 33 && byte <= 126 && byte !== 0x2b && byte !== 0x3d
        ? String.fromCharCode(byte)
        : `+${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/**
 * Encodes an address as `utf-8-addr-unitext` (RFC 6533 §3) for `ORCPT=utf-8;…` in an
 * SMTPUTF8 transaction: UTF-8 stays as it is; plus, equals, backslash, space and controls
 * become `\x{HEX}`.
 *
 * @since 0.1.0
 */
export function encodeUtf8AddrUnitext(address: string): string {
  let out = "";
  for (const char of address) {
    const code = char.codePointAt(0)!;
    out +=
      code <= 0x20 || code === 0x7f || char === "+" || char === "=" || char === "\\"
        ? `\\x{${code.toString(16).toUpperCase()}}`
        : char;
  }
  return out;
}
