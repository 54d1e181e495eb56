/**
 * One address as the caller writes it: `"a@b.example"`, `"Name <a@b.example>"` (a string
 * may also hold a comma-separated list) or `{ name, address }` where `address` is a bare
 * addr-spec.
 *
 * @since 0.1.0
 */
export type AddressInput = string | { name?: string; address: string };

/**
 * One address or a flat array of them. Nested arrays are refused.
 *
 * @since 0.1.0
 */
export type AddressListInput = AddressInput | readonly AddressInput[];

/**
 * Attachment content: text (sent as UTF-8), bytes, or a stream pulled chunk by chunk.
 *
 * @since 0.1.0
 */
export type ContentInput =
  | string
  | Uint8Array
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>;

/**
 * One attachment or inline part.
 *
 * @since 0.1.0
 */
export interface AttachmentInput {
  /** Shown to the recipient; non-ASCII and long names are encoded (RFC 2231 + RFC 2047). */
  filename?: string;
  content: ContentInput;
  /** `type/subtype`, optionally with parameters; guessed from the filename when absent. */
  contentType?: string;
  /** Content-ID without angle brackets; makes the part inline and referable as `cid:…`. */
  cid?: string;
  /** Defaults to `inline` with a `cid`, `attachment` otherwise. */
  disposition?: "attachment" | "inline";
  /**
   * The byte length of a stream `content`, when known: lets {@link Message.size} be
   * computed ahead of time. A stream that yields another length fails with a MimeError.
   */
  size?: number;
}

/**
 * Extra header fields: a record (an array value repeats the field) or an ordered list.
 *
 * @since 0.1.0
 */
export type HeadersInput =
  | Readonly<Record<string, string | readonly string[]>>
  | readonly { key: string; value: string }[];

/**
 * `high`, `normal` or `low`: X-Priority 1/3/5 with the matching Importance header.
 *
 * @since 0.1.0
 */
export type Priority = "high" | "normal" | "low";

/**
 * The message description (the shape nodemailer users know).
 *
 * @since 0.1.0
 */
export interface MessageInput {
  from: AddressInput;
  sender?: AddressInput;
  to?: AddressListInput;
  cc?: AddressListInput;
  /** Used for the envelope only, never written to the headers. */
  bcc?: AddressListInput;
  replyTo?: AddressListInput;
  /** A Message-ID, with or without angle brackets. */
  inReplyTo?: string;
  /** Message-IDs, as a list or a space-separated string. */
  references?: string | readonly string[];
  subject?: string;
  text?: string;
  html?: string;
  attachments?: readonly AttachmentInput[];
  headers?: HeadersInput;
  priority?: Priority;
  /** Defaults to {@link BuildOptions.now}. */
  date?: Date;
  /** A Message-ID, with or without angle brackets; generated when absent. */
  messageId?: string;
  /** Overrides the envelope derived from the headers. `from: null` or `""` is the null sender. */
  envelope?: { from?: AddressInput | null; to?: AddressListInput };
}

/**
 * How to build: the injected clock and randomness, and what the server accepts.
 *
 * @since 0.1.0
 */
export interface BuildOptions {
  /** For `Date:` when the input has none. */
  now: Date;
  /** Minutes east of UTC for `Date:`; defaults to the local offset of the date (`getTimezoneOffset`). */
  timeZoneOffset?: number;
  /** Boundaries and the Message-ID are drawn from this. */
  randomBytes: (length: number) => Uint8Array;
  /** The server has 8BITMIME: bodies may be sent as 8bit. */
  allow8bit?: boolean;
  /** The server has SMTPUTF8: UTF-8 addresses and headers stay raw (RFC 6532). */
  smtpUtf8?: boolean;
  /** Message-ID domain when the sender has none usable. Defaults to `localhost`. */
  hostname?: string;
}

/**
 * One envelope address, built from the parsed structure and never re-parsed.
 *
 * @since 0.1.0
 */
export interface EnvelopeAddress {
  /** The local part, unquoted. */
  local: string;
  /** The domain as it goes on the wire: punycode unless SMTPUTF8 mode. */
  domain: string;
  /** As it goes in MAIL FROM / RCPT TO: local part quoted when needed, `@`, domain. */
  address: string;
}

/**
 * Options for {@link Message.stream}.
 *
 * @since 0.1.0
 */
export interface StreamOptions {
  /**
   * Encode attachments into one reused buffer: each chunk is then only valid until the
   * next pull (copy it, or be done with it, before asking for more). Saves the garbage
   * of one fresh array per 64 KiB block, which otherwise waits for the garbage collector.
   * Off by default: every chunk is then the consumer's to keep.
   */
  reuseBuffers?: boolean;
}

/**
 * A built message: metadata known up front, and its bytes as a pull stream.
 *
 * @since 0.1.0
 */
export interface Message {
  /** `"<…@domain>"`. */
  readonly messageId: string;
  /** `to` = to + cc + bcc, deduplicated, unless `input.envelope` overrides it. */
  readonly envelope: { from: EnvelopeAddress | null; to: EnvelopeAddress[] };
  /** Exact encoded size in octets when every content size is known. */
  readonly size: number | undefined;
  /** The output contains 8-bit octets (only with `allow8bit` or `smtpUtf8`). */
  readonly eightBit: boolean;
  /** The envelope or headers need SMTPUTF8. */
  readonly smtpUtf8: boolean;
  /**
   * Whether every `stream()` call gives the same bytes: false when some attachment content
   * is a stream, which can be read only once. A consumer that must read the message twice
   * (a DKIM signer: a hash pass, then the send) checks this first.
   */
  readonly replayable: boolean;
  /** The bytes, CRLF line endings; each call is a new pass (a consumed stream content throws). */
  stream(options?: StreamOptions): AsyncIterable<Uint8Array>;
}
