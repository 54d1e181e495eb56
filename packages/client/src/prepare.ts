import type { SendJob } from "@smtp/core";
import { SmtpError, validateJob } from "@smtp/core/base";
import {
  type BuildOptions,
  createMessage,
  filePathsOf,
  type Message,
  type MessageInput,
  MimeError,
  readRawHeaders,
} from "@smtp/mime";
import { checkKeys } from "./check-keys.ts";
import { openFiles } from "./files.ts";
import { MESSAGE_KEYS } from "./known-keys.ts";
import { randomBytes } from "./web-runtime.ts";

/** A message built and checked, ready to be queued. @since 0.1.0 */
export interface PreparedMessage {
  message: Message;
  /** The envelope and body facts for the engine. */
  job: SendJob;
}

/** What building needs beyond the input: the file resolver for `path` fields. */
type Files = BuildOptions["files"];

function build(
  input: MessageInput,
  smtpUtf8: boolean,
  hostname: string | undefined,
  files: Files,
): Message {
  return createMessage(input, {
    now: new Date(),
    randomBytes,
    // 7-bit safe always: the message is built before the server is known (so that invalid
    // input is refused before any connection) and must then suit every server.
    allow8bit: false,
    smtpUtf8,
    ...(hostname === undefined ? {} : { hostname }),
    ...(files === undefined ? {} : { files }),
  });
}

/**
 * The I/O a message input needs before it can be built, done before any connection: the
 * files its `path` fields name are checked (a missing or unreadable one is
 * `invalid-input`), and a `raw` stream's header section is read ahead (its envelope and
 * SMTPUTF8 needs come from there). Returns at once, without a promise, when there is
 * nothing to read.
 *
 * @since 0.1.0
 */
export function loadMessageInput(
  input: MessageInput,
): { input: MessageInput; files: Files } | Promise<{ input: MessageInput; files: Files }> {
  if (typeof input !== "object" || input === null) return { input, files: undefined };
  const paths = filePathsOf(input);
  const raw = input.raw as unknown;
  const rawStream = typeof raw === "object" && raw !== null && !(raw instanceof Uint8Array);
  // Nothing to read (the usual message): no await, so no turn of the event loop is spent.
  if (paths.length === 0 && !rawStream) return { input, files: undefined };
  return loadAsync(input, paths, rawStream);
}

async function loadAsync(
  input: MessageInput & object,
  paths: ReturnType<typeof filePathsOf>,
  rawStream: boolean,
): Promise<{ input: MessageInput; files: Files }> {
  const files = await openFiles(paths);
  const raw = input.raw as unknown;
  if (!rawStream) return { input, files };
  try {
    return {
      input: { ...input, raw: await readRawHeaders(raw as ReadableStream<Uint8Array>) },
      files,
    };
  } catch (error) {
    throw wrap(error);
  }
}

/**
 * Builds the message with `@smtp/mime` and derives the engine's job. Everything is checked
 * here, before any connection is opened: a bad field throws `SmtpError` kind
 * `"invalid-input"` (the `MimeError` as `cause`).
 *
 * The body is always built 7-bit safe (quoted-printable or base64), so the same bytes suit
 * any server (a `raw` message is sent as it is: 8-bit content there asks for 8BITMIME).
 * SMTPUTF8 is used only when the message cannot be written without it (internationalised
 * addresses, a raw message's UTF-8 header fields); the engine then requires the server to
 * offer it.
 *
 * @since 0.1.0
 */
export function prepareMessage(
  input: MessageInput,
  options: {
    hostname?: string | undefined;
    dsn?: SendJob["dsn"] | undefined;
    requireAllRecipients?: boolean | undefined;
    requireTls?: boolean | undefined;
    files?: Files;
  },
): PreparedMessage {
  if (typeof input !== "object" || input === null) {
    throw new SmtpError({
      kind: "invalid-input",
      message: "message must be an object",
      retryable: false,
    });
  }
  checkKeys(input, MESSAGE_KEYS, "message field");
  let message: Message;
  try {
    message = build(input, false, options.hostname, options.files);
  } catch (first) {
    if (!(first instanceof MimeError)) throw wrap(first);
    try {
      message = build(input, true, options.hostname, options.files);
    } catch {
      throw wrap(first);
    }
    if (!message.smtpUtf8) throw wrap(first);
  }
  const from = message.envelope.from?.address ?? "";
  const to = message.envelope.to.map((a) => a.address);
  if (to.length === 0) {
    throw new SmtpError({
      kind: "invalid-input",
      message: "the message has no recipient (to, cc, bcc or envelope.to)",
      retryable: false,
    });
  }
  const job: SendJob = {
    from,
    to,
    eightBit: message.eightBit,
    smtpUtf8: message.smtpUtf8,
    ...(message.size === undefined ? {} : { size: message.size }),
    ...(options.dsn === undefined ? {} : { dsn: options.dsn }),
    ...(options.requireAllRecipients === undefined
      ? {}
      : { requireAllRecipients: options.requireAllRecipients }),
    ...(options.requireTls === undefined ? {} : { requireTls: options.requireTls }),
  };
  // The engine's own check (R2, R3: no CR/LF/NUL, no leading "-", every parameter encodable),
  // before any connection rather than when the message reaches the engine.
  validateJob(job);
  return { message, job };
}

function wrap(error: unknown): SmtpError {
  if (error instanceof SmtpError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new SmtpError({ kind: "invalid-input", message, retryable: false, cause: error });
}
