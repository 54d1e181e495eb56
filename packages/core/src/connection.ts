import { BODY_COPY_LIMIT } from "./body-copy-limit.ts";
import { type Command, commandName, commandText, describeCommand } from "./command.ts";
import { SmtpError, type TimeoutPhase } from "./errors.ts";
import { BodyStaging, LentOutput } from "./lent-buffers.ts";
import { ReplyParser } from "./reply-parser.ts";
import type { Reply } from "./reply-types.ts";
import type { Limits, TranscriptEntry } from "./session-types.ts";

/**
 * A command (or the greeting, or an end of data) whose reply is awaited.
 *
 * @since 0.1.0
 */
export interface AwaitedReply<T> {
  /** Names what is answered in errors ("MAIL FROM", "DATA"…); `undefined` for the greeting. Never a payload. */
  label: string | undefined;
  /** The deadline phase while this reply is awaited. */
  phase: TimeoutPhase;
  /** 3xx replies: `required` for DATA (a 2xx is then invalid too), `allowed` for AUTH; otherwise invalid. */
  intermediate?: "required" | "allowed";
  /** The caller's data, handed back with the reply. */
  context: T;
}

/** A reply matched to what it answers; `awaited` is `undefined` only for an unsolicited 421. @since 0.1.0 */
export interface MatchedReply<T> {
  /** The reply. */
  reply: Reply;
  /** The pending command it answers, or `undefined` for an unsolicited reply. */
  awaited: AwaitedReply<T> | undefined;
}

function intermediateOf(command: Command): AwaitedReply<unknown>["intermediate"] {
  if (command.name === "DATA") return "required";
  if (command.name === "AUTH" || command.name === "AUTH-RESPONSE") return "allowed";
  return undefined;
}

function unexpected(message: string, reply: Reply, label: string | undefined): SmtpError {
  return new SmtpError({
    kind: "protocol",
    message,
    detail: "unexpected-reply",
    reply,
    retryable: false,
    ...(label === undefined ? {} : { command: label }),
  });
}

const encoder = new TextEncoder();

/** Writes `text` as UTF-8 into `out` at `offset` (room assumed); returns the new offset. */
function writeText(out: Uint8Array, offset: number, text: string): number {
  // Command lines are short and almost always ASCII: a plain loop beats a native call.
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) {
      return offset + i + encoder.encodeInto(text.slice(i), out.subarray(offset + i)).written;
    }
    out[offset + i] = c;
  }
  return offset + text.length;
}

/**
 * Whether a queued part is body bytes that may leave as they are: the caller's (or the
 * encoder's own array), never a view of `staging`, the engine's reused memory, which is
 * always joined.
 */
function leavesAsIs(
  part: string | Uint8Array,
  staging: BodyStaging | undefined,
): part is Uint8Array {
  return typeof part !== "string" && !staging?.owns(part);
}

/** Whether a queued part is a body chunk too large to copy (see `Session.bodyChunk`). */
function isLarge(part: string | Uint8Array, staging: BodyStaging | undefined): boolean {
  return leavesAsIs(part, staging) && part.length >= BODY_COPY_LIMIT;
}

/**
 * Joins queued output into one array: body bytes copied, command text encoded in place;
 * into `lent` when given and it has room, else into a new array.
 */
function joinOutput(
  parts: readonly (string | Uint8Array)[],
  lent: LentOutput | undefined,
): Uint8Array {
  // A UTF-8 code unit takes at most 3 octets: room enough without measuring first.
  let room = 0;
  for (const part of parts) room += typeof part === "string" ? part.length * 3 : part.length;
  const out = lent?.take(room) ?? new Uint8Array(room);
  let offset = 0;
  for (const part of parts) {
    if (typeof part === "string") offset = writeText(out, offset, part);
    else {
      out.set(part, offset);
      offset += part.length;
    }
  }
  return out.subarray(0, offset);
}

/**
 * The wire layer (experimental): typed commands out, replies in, matched to what they
 * answer in strict FIFO order (R9). It decides nothing; {@link Session} does.
 *
 * - {@link Connection.send} encodes a command (every argument checked, R2/R3), queues its
 *   bytes for {@link Connection.pollTransmit} and awaits its reply; the transcript gets the
 *   redacted form, never a SASL payload (R10).
 * - {@link Connection.nextReply} returns the next complete reply with what it answers, and
 *   throws a `protocol` {@link SmtpError} for a reply nothing awaits, or a code no command of
 *   its kind can get (a 3xx to MAIL, a 2xx to DATA). An unsolicited 421 is returned, since a
 *   server may send it at any time (RFC 5321 §3.8).
 * - {@link Connection.unread} tells whether anything follows the last reply: the STARTTLS
 *   check (R7).
 *
 * @since 0.1.0
 */
export class Connection<T> {
  readonly #parser: ReplyParser;
  readonly #transcript: ((entry: TranscriptEntry) => void) | undefined;
  #awaited: AwaitedReply<T>[] = [];
  /** Output not yet polled: command lines (CRLF included) as text, body bytes as they are. */
  #out: (string | Uint8Array)[] = [];
  /** Where joined output goes with `lendOutput`. */
  readonly #lent: LentOutput | undefined;
  /** Where small DATA body bytes wait with `lendOutput` (see {@link Connection.staging}). */
  readonly #staging: BodyStaging | undefined;

  /**
   * @param options - reply bounds (R12), the transcript sink, and `lendOutput`: joined
   *   output from {@link Connection.pollTransmit} is then written into one buffer the wire
   *   keeps (up to {@link LENT_OUTPUT_LIMIT} octets), valid until the next call.
   */
  constructor(
    options: {
      limits?: Partial<Limits>;
      transcript?: ((entry: TranscriptEntry) => void) | undefined;
      lendOutput?: boolean | undefined;
    } = {},
  ) {
    this.#parser = new ReplyParser(options.limits);
    this.#transcript = options.transcript;
    this.#lent = options.lendOutput === true ? new LentOutput() : undefined;
    this.#staging = options.lendOutput === true ? new BodyStaging() : undefined;
  }

  /**
   * With `lendOutput`: room for small body bytes that go out by {@link Connection.write}
   * before the next output is joined (DATA), reused once the queue has been drained. Views
   * of it are always joined, never handed out alone. `undefined` without `lendOutput`.
   */
  get staging(): BodyStaging | undefined {
    return this.#staging;
  }

  /** How many replies are awaited. */
  get awaiting(): number {
    return this.#awaited.length;
  }

  /** The oldest awaited reply, if any. */
  get head(): AwaitedReply<T> | undefined {
    return this.#awaited[0];
  }

  /** Bytes of an unfinished reply line held (at most `maxLineLength` + 1). */
  get buffered(): number {
    return this.#parser.buffered;
  }

  /** Whether any received byte has not become part of a returned reply. */
  get unread(): boolean {
    return this.#parser.pending;
  }

  /** Records a transcript line. */
  record(direction: TranscriptEntry["direction"], text: string): void {
    this.#transcript?.({ direction, text });
  }

  /**
   * Encodes `command`, queues its bytes and awaits its reply.
   *
   * @throws {@link SmtpError} of kind `invalid-input` before anything is queued.
   */
  send(command: Command, phase: TimeoutPhase, context: T): void {
    const line = commandText(command);
    this.#out.push(`${line}\r\n`);
    if (this.#transcript !== undefined) this.record("C", describeCommand(command, line));
    const intermediate = intermediateOf(command);
    this.#awaited.push({
      label: commandName(command),
      phase,
      context,
      ...(intermediate === undefined ? {} : { intermediate }),
    });
  }

  /** Awaits a reply that answers no command line (the greeting, the end of data). */
  expect(awaited: AwaitedReply<T>): void {
    this.#awaited.push(awaited);
  }

  /** Awaits replies that come before any awaited now (LMTP's further replies to one end of data). */
  expectFirst(awaited: AwaitedReply<T>[]): void {
    this.#awaited.unshift(...awaited);
  }

  /** Queues raw bytes (message body, end of data). */
  write(bytes: Uint8Array): void {
    if (bytes.length > 0) this.#out.push(bytes);
  }

  /** Server bytes, in any chunking. */
  receive(chunk: Uint8Array): void {
    this.#parser.push(chunk);
  }

  /**
   * The next complete reply and what it answers, or `null` when more bytes are needed.
   *
   * @throws {@link SmtpError} of kind `protocol` (bad, overlong or unexpected reply).
   */
  nextReply(): MatchedReply<T> | null {
    const parsed = this.#parser.next();
    if (parsed === null) return null;
    for (const line of parsed.raw) this.record("S", line);
    const reply = parsed.reply;
    const awaited = this.#awaited.shift();
    if (awaited === undefined) {
      if (reply.code === 421) return { reply, awaited };
      throw unexpected("the server sent a reply no command asked for", reply, undefined);
    }
    if (reply.code === 421) return { reply, awaited };
    const intermediate = reply.code >= 300 && reply.code < 400;
    if (
      (intermediate && awaited.intermediate === undefined) ||
      (reply.code < 300 && awaited.intermediate === "required")
    ) {
      // e.g. "234" to DATA, "354" to MAIL: no command of this kind can get it (R9).
      throw unexpected(
        `a ${reply.code} reply cannot answer ${awaited.label ?? "the greeting"}`,
        reply,
        awaited.label,
      );
    }
    return { reply, awaited };
  }

  /**
   * What is queued for writing, or `null`: everything in one array (the command lines
   * encoded on the way), except that a body chunk of `BODY_COPY_LIMIT` or more is never
   * copied: it comes on its own, by a later call than the output queued before it. A body
   * chunk queued alone comes as it is, whatever its size. Call until `null`. With
   * `lendOutput`, joined output is the wire's own buffer, overwritten by the next call.
   */
  pollTransmit(): Uint8Array | null {
    const parts = this.#out;
    if (parts.length === 0) return null;
    // A large body chunk is never copied into a joined array: it goes on its own, after
    // whatever small output precedes it (which goes joined, in an earlier call).
    // A staged view is always joined, whatever its size or company: the staging buffer is
    // reused once the queue is empty, so no view of it may leave alone.
    const staging = this.#staging;
    let large = 0;
    while (large < parts.length && !isLarge(parts[large]!, staging)) large++;
    let out: Uint8Array;
    if (large === 0 || large === parts.length) {
      this.#out = large === 0 ? parts.slice(1) : [];
      const first = parts[0]!;
      out =
        leavesAsIs(first, staging) && (large === 0 || parts.length === 1)
          ? first
          : joinOutput(parts, this.#lent);
    } else {
      this.#out = parts.slice(large);
      out = joinOutput(parts.slice(0, large), this.#lent);
    }
    // Every staged view has been copied into `out` by now: the staging buffer is free.
    if (this.#out.length === 0) this.#staging?.reset();
    return out;
  }

  /** Forgets every awaited reply (the session gave up on them). */
  forgetAwaited(): void {
    this.#awaited = [];
  }

  /** Drops unwritten output (a fatal error: nothing more may be sent). */
  discardOutput(): void {
    this.#out = [];
    this.#staging?.reset();
  }

  /** Drops everything: the connection is over. */
  clear(): void {
    this.#awaited = [];
    this.#parser.clear();
  }
}
