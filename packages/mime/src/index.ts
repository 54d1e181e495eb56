/**
 * `@smtp/mime`: a streaming RFC 5322 / MIME message builder.
 *
 * Platform-free (no Node, no DOM): web streams and `Uint8Array` only; the clock and
 * randomness are injected so output is byte-stable in tests.
 *
 * @module
 */
export { MAX_ADDRESS_INPUT, type ParsedMailbox, parseAddressList } from "./address-parser.ts";
export { type FilePath, filePathsOf } from "./content-fields.ts";
export { MimeError, type MimeErrorKind } from "./errors.ts";
export { MAX_LIST_URL } from "./list-headers.ts";
export { createMessage } from "./message.ts";
export { toBytes } from "./output.ts";
export { MAX_RAW_HEADER, type RawMessageStream, readRawHeaders } from "./raw.ts";
export { toReadableStream } from "./readable.ts";
export type {
  AddressInput,
  AddressListInput,
  AlternativeInput,
  AttachmentInput,
  BuildOptions,
  ContentEncoding,
  ContentInput,
  EnvelopeAddress,
  HeadersInput,
  IcalEventInput,
  ListInput,
  ListUrlInput,
  Message,
  MessageInput,
  Priority,
  RawInput,
  ReopenableContent,
  StreamOptions,
  TextEncoding,
} from "./types.ts";
