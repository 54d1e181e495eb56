/**
 * One address as the caller writes it: `"a@b.example"`, `"Name <a@b.example>"` (a string
 * may also hold a comma-separated list) or `{ name, address }` where `address` is a bare
 * addr-spec.
 *
 * @since 0.1.0
 */
export type AddressInput =
  | string
  | {
      /** The display name; non-ASCII is encoded (RFC 2047). */
      name?: string;
      /** The bare address, `local@domain`. */
      address: string;
    };

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
 * How a string `content` is turned into octets: `"utf-8"` (the default; `"utf8"` too),
 * `"base64"` (white space allowed, padding optional), `"hex"`, or `"binary"` (Latin-1, one
 * octet per character; `"latin1"` too). Text that does not decode is refused.
 *
 * @since 0.1.0
 */
export type ContentEncoding = "base64" | "hex" | "binary" | "latin1" | "utf-8" | "utf8";

/**
 * Content read from somewhere each time the message is streamed, e.g. a file. `open` is
 * called once per pass (so a message can be sent again, say on another connection) and
 * its stream must yield exactly `size` octets.
 *
 * @since 0.1.0
 */
export interface ReopenableContent {
  /** The exact length in octets (for the message size and the server's SIZE limit). */
  size: number;
  /**
   * A fresh stream of the content. The builder is done with each chunk before it asks for
   * the next one, so the stream may yield the same buffer, refilled, every time (no garbage
   * per chunk: the memory of a large file stays flat).
   */
  open(): AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;
}

/**
 * One attachment or inline part: `content`, or a file `path`.
 *
 * @since 0.1.0
 */
export interface AttachmentInput {
  /** Shown to the recipient; non-ASCII and long names are encoded (RFC 2231 + RFC 2047). */
  filename?: string;
  /**
   * The bytes: a string (UTF-8, or decoded per `encoding`), a `Uint8Array`, or a stream.
   * Exactly one of `content` and `path`.
   */
  content?: ContentInput;
  /**
   * A file to attach, opened each time the message is streamed, never read whole into
   * memory. `createMessage` does no I/O: it asks {@link BuildOptions.files} for the file
   * (`@smtp/client` provides that on Node.js, Deno and Bun). The filename defaults to the
   * path's last component. URLs are not fetched: pass `content: (await fetch(url)).body`.
   *
   * @since 0.1.0
   */
  path?: string;
  /** How a string `content` becomes octets. Only for string content. @since 0.1.0 */
  encoding?: ContentEncoding;
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
 * One extra alternative body (`multipart/alternative`), e.g. AMP (`text/x-amp-html`). They
 * are placed after the text and before the HTML, in the order given, so that readers which
 * do not know them still show the HTML (AMP's recommended place).
 *
 * @since 0.1.0
 */
export interface AlternativeInput {
  /** `type/subtype`, optionally with parameters, e.g. `text/x-amp-html`. */
  contentType: string;
  /** The content; exactly one of `content` and `path`. */
  content?: ContentInput;
  /** A file, as for {@link AttachmentInput.path}. */
  path?: string;
  /** How a string `content` becomes octets. */
  encoding?: ContentEncoding;
  /** The byte length of a stream `content`, when known. */
  size?: number;
}

/**
 * A calendar invitation (iCalendar, RFC 5545 / iTIP RFC 5546): sent as a
 * `text/calendar; method=…` alternative (what Outlook and Gmail show with Accept and
 * Decline) and as an `application/ics` attachment.
 *
 * @since 0.1.0
 */
export interface IcalEventInput {
  /**
   * The iTIP method (`REQUEST`, `CANCEL`, `PUBLISH`, `REPLY`…), upper-cased. Default: the
   * content's own `METHOD:` line, else `PUBLISH`. It must match that line when both exist.
   */
  method?: string;
  /** The iCalendar text (or bytes); exactly one of `content` and `path`. Not a stream: it is sent twice. */
  content?: string | Uint8Array;
  /** A `.ics` file, as for {@link AttachmentInput.path}. */
  path?: string;
  /** The attachment's file name. Default `invite.ics`. */
  filename?: string;
  /** How a string `content` becomes octets. */
  encoding?: ContentEncoding;
}

/**
 * One `List-*` URL: `https:`, `http:`, `mailto:` or `ftp:`, or an e-mail address (sent as
 * `mailto:`), optionally with a comment shown after it.
 *
 * @since 0.1.0
 */
export type ListUrlInput =
  | string
  | {
      /** The URL, or an e-mail address. */
      url: string;
      /** Shown after the URL, in parentheses; non-ASCII is encoded. */
      comment?: string;
    };

/**
 * The mailing-list header fields (RFC 2369, RFC 2919, RFC 8058). Each URL field takes one
 * {@link ListUrlInput} or an array of them.
 *
 * @since 0.1.0
 */
export interface ListInput {
  /** `List-Help`: where to get help with the list. */
  help?: ListUrlInput | readonly ListUrlInput[];
  /** `List-Unsubscribe`: how to unsubscribe (see `oneClick`). */
  unsubscribe?: ListUrlInput | readonly ListUrlInput[];
  /** `List-Subscribe`: how to subscribe. */
  subscribe?: ListUrlInput | readonly ListUrlInput[];
  /** `"NO"` says posting is not allowed (RFC 2369 §3.4). */
  post?: ListUrlInput | readonly ListUrlInput[];
  /** `List-Owner`: how to reach the list's owner. */
  owner?: ListUrlInput | readonly ListUrlInput[];
  /** `List-Archive`: where the list's archive is. */
  archive?: ListUrlInput | readonly ListUrlInput[];
  /** `List-Id` (RFC 2919): the list's identifier, e.g. `news.example.com`, with an optional description as `comment`. */
  id?: ListUrlInput;
  /**
   * One-click unsubscription (RFC 8058, required of bulk senders by Gmail and Yahoo): adds
   * `List-Unsubscribe-Post: List-Unsubscribe=One-Click`. `unsubscribe` must then hold
   * exactly one `https:` URL (and no `http:` one). Sign the message with DKIM so that the
   * signature covers both fields.
   */
  oneClick?: boolean;
}

/**
 * The transfer encoding of text bodies (text, HTML, string alternatives and calendars),
 * instead of the automatic choice.
 *
 * @since 0.1.0
 */
export type TextEncoding = "quoted-printable" | "base64";

/**
 * A complete message given as it is (`raw`): text, bytes or a stream.
 *
 * @since 0.1.0
 */
export type RawInput = string | Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/**
 * Extra header fields: a record (an array value repeats the field) or an ordered list.
 *
 * @since 0.1.0
 */
export type HeadersInput =
  | Readonly<Record<string, string | readonly string[]>>
  | readonly {
      /** The field name. */
      key: string;
      /** The field value; non-ASCII is encoded (RFC 2047). */
      value: string;
    }[];

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
  /**
   * The author (From:); also MAIL FROM unless `sender` or `envelope.from` says otherwise.
   * Required, unless the message is `raw`.
   */
  from?: AddressInput;
  /** The Sender: when it differs from `from` (one mailbox); then also MAIL FROM. */
  sender?: AddressInput;
  /** Recipients (To:). */
  to?: AddressListInput;
  /** Carbon-copy recipients (Cc:). */
  cc?: AddressListInput;
  /** Used for the envelope only, never written to the headers. */
  bcc?: AddressListInput;
  /** Where replies go (Reply-To:). */
  replyTo?: AddressListInput;
  /** A Message-ID, with or without angle brackets. */
  inReplyTo?: string;
  /** Message-IDs, as a list or a space-separated string. */
  references?: string | readonly string[];
  /** The Subject:; non-ASCII is encoded (RFC 2047). */
  subject?: string;
  /** The plain-text body. */
  text?: string;
  /** The HTML body; with `text`, the two become multipart/alternative. */
  html?: string;
  /** Attachments, and inline parts (with a `cid`) referenced from `html`. */
  attachments?: readonly AttachmentInput[];
  /** Extra header fields. Fields the builder writes itself (From, To, Date …) are refused here. */
  headers?: HeadersInput;
  /** X-Priority and Importance; none by default. */
  priority?: Priority;
  /** Defaults to {@link BuildOptions.now}. */
  date?: Date;
  /** A Message-ID, with or without angle brackets; generated when absent. */
  messageId?: string;
  /** Overrides the envelope derived from the headers. `from: null` or `""` is the null sender. */
  envelope?: {
    /** MAIL FROM; `null` or `""` for the null sender. Default: `sender`, else `from`. */
    from?: AddressInput | null;
    /** Every RCPT TO. Default: to, cc and bcc together. */
    to?: AddressListInput;
  };
  /** Extra alternative bodies, between the text and the HTML. @since 0.1.0 */
  alternatives?: readonly AlternativeInput[];
  /** A calendar invitation. @since 0.1.0 */
  icalEvent?: IcalEventInput;
  /** Mailing-list header fields (`List-Unsubscribe` and the others). @since 0.1.0 */
  list?: ListInput;
  /** Force quoted-printable or base64 for text bodies. Default: chosen from the content. @since 0.1.0 */
  textEncoding?: TextEncoding;
  /**
   * A complete RFC 5322 message, sent as it is except that line ends become CRLF. Only
   * `envelope` may be given with it; without `envelope`, MAIL FROM comes from its `Sender`
   * or `From` header and the recipients from its `To`, `Cc` and `Bcc` headers (the Bcc
   * header is not removed: leave it out of the raw message). Header fields with 8-bit
   * octets need SMTPUTF8. A stream must be read first with `readRawHeaders` unless
   * `envelope` gives both `from` and `to`.
   *
   * @since 0.1.0
   */
  raw?: RawInput;
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
  /**
   * Resolves a `path` field to its content: the file's size and a way to open it. Returns
   * `undefined` when the file is not available. Without it, `path` is refused.
   *
   * @since 0.1.0
   */
  files?: (path: string) => ReopenableContent | undefined;
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
  /** `"<…@domain>"`; for a `raw` message, its Message-ID header, or `""` when it has none. */
  readonly messageId: string;
  /** `to` = to + cc + bcc, deduplicated, unless `input.envelope` overrides it. */
  readonly envelope: {
    /** MAIL FROM; `null` for the null sender. */
    from: EnvelopeAddress | null;
    /** Every RCPT TO. */
    to: EnvelopeAddress[];
  };
  /** Exact encoded size in octets when every content size is known. */
  readonly size: number | undefined;
  /**
   * The output contains 8-bit octets (only with `allow8bit` or `smtpUtf8`, or in a `raw`
   * message; a raw stream counts as 8-bit, since its body is not known ahead).
   */
  readonly eightBit: boolean;
  /** The envelope or headers need SMTPUTF8. */
  readonly smtpUtf8: boolean;
  /** The bytes, CRLF line endings; each call is a new pass (a consumed stream content throws). */
  stream(options?: StreamOptions): AsyncIterable<Uint8Array>;
  /**
   * Whether `stream()` can make another pass: `false` once a one-shot stream content (a
   * `ReadableStream` or async iterable) was opened by an earlier pass. A client may resend a
   * message on another connection only while this holds.
   */
  readonly replayable: boolean;
  /**
   * Whether some content can be read only once (an attachment, alternative or raw message
   * given as a `ReadableStream` or async iterable): then the message can be streamed once,
   * ever. Bytes, text and files (`path`) can be read again. Known up front, so a consumer
   * that needs two passes (a DKIM signer: the body hash, then the send) can decide before
   * the first.
   */
  readonly singlePass: boolean;
  /**
   * The whole message in one array when `stream()` would yield it as a single chunk (only
   * in-memory content, under 64 KiB in all); otherwise `undefined`. The array is the
   * message's own memory, as a chunk of `stream({ reuseBuffers: true })` is: read it and
   * never change it. Lets a sender hand over a small message without an asynchronous pass.
   * Optional: a `Message` made elsewhere may leave it out.
   *
   * @since 0.2.0
   */
  singleChunk?(): Uint8Array | undefined;
}
