/**
 * `@smtp/mime`: a streaming RFC 5322 / MIME message builder.
 *
 * Platform-free (no Node, no DOM): web streams and `Uint8Array` only; the clock and
 * randomness are injected so output is byte-stable in tests.
 *
 * @module
 */
export { MAX_ADDRESS_INPUT, type ParsedMailbox, parseAddressList } from "./address-parser.ts";
export { MimeError, type MimeErrorKind } from "./errors.ts";
export { createMessage } from "./message.ts";
export { toBytes } from "./output.ts";
export { toReadableStream } from "./readable.ts";
export type {
  AddressInput,
  AddressListInput,
  AttachmentInput,
  BuildOptions,
  ContentInput,
  EnvelopeAddress,
  HeadersInput,
  Message,
  MessageInput,
  Priority,
  StreamOptions,
} from "./types.ts";
