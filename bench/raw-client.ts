/**
 * The limit: a hand-written pipelined SMTP client over one `node:net` socket, with none of
 * a library's checks, options or recovery. Per message it builds the bytes itself (header
 * fields by string template, the text's line ends and dots by `replace`) and writes them
 * once. On a DATA server it writes the body, its end and the next message's envelope
 * (MAIL, RCPT, DATA) in one write after each 354; on a CHUNKING server every message is one
 * write (MAIL, RCPT, `BDAT n LAST` and the bytes) and up to `window` of them are in flight.
 * Large attachments are base64-encoded in ~64 KiB chunks (Node's native encoder, lines cut
 * with one copy) and written with TCP back-pressure. Any reply that is not the expected
 * one fails the message; there is no retry. For the benchmark only.
 */
import { randomBytes } from "node:crypto";
import { open } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import type { BenchMessage } from "./clients.ts";

/** Where the raw client connects and what it may do. @since 0.2.0 */
export interface RawClientOptions {
  host: string;
  port: number;
  /** AUTH PLAIN after EHLO (a real server that relays only after it). */
  auth?: { user: string; pass: string } | undefined;
  /** Messages in flight at most on a CHUNKING server (default 64). */
  window?: number | undefined;
}

/** A reply: its code and whether it is the last line. */
interface Expected {
  /** Called with the reply code. */
  onReply(code: number, text: string): void;
}

interface Pending {
  message: BenchMessage;
  resolve(): void;
  reject(error: Error): void;
}

const CRLF = "\r\n";
/** Messages per connection, then a new one (Exim's default smtp_accept_max_per_connection). */
const PER_CONNECTION = 1000;
/** Input bytes per base64 line, and lines per chunk (~64 KiB of input). */
const LINE = 57;
const CHUNK_LINES = 1150;

/**
 * Encodes `bytes` as CRLF-terminated 76-column base64 lines: one native encode of the
 * chunk, then one copy per line into `out` (which must hold the result).
 *
 * @since 0.2.0
 */
export function base64LinesInto(bytes: Uint8Array, out: Buffer): number {
  const encoded = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
  const ascii = Buffer.from(encoded, "latin1");
  let o = 0;
  for (let i = 0; i < ascii.length; i += 76) {
    const end = Math.min(i + 76, ascii.length);
    o += ascii.copy(out, o, i, end);
    out[o++] = 13;
    out[o++] = 10;
  }
  return o;
}

/**
 * A file read in blocks of whole base64 lines into one buffer, refilled for every block.
 *
 * @since 0.2.0
 */
export async function* fileBlocks(path: string): AsyncGenerator<Uint8Array> {
  const handle = await open(path, "r");
  const buffer = Buffer.allocUnsafe(LINE * CHUNK_LINES);
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/** Chunked base64 lines of a whole source (bytes or a stream), ~64 KiB of input at a time. @since 0.2.0 */
export async function* base64Chunks(
  source: Uint8Array | AsyncIterable<Uint8Array>,
): AsyncGenerator<Buffer> {
  const block = LINE * CHUNK_LINES;
  const out = Buffer.allocUnsafe(CHUNK_LINES * 78);
  if (source instanceof Uint8Array) {
    for (let i = 0; i < source.length; i += block) {
      const n = base64LinesInto(source.subarray(i, Math.min(i + block, source.length)), out);
      yield out.subarray(0, n);
    }
    return;
  }
  // A stream: whole lines per chunk, the remainder carried over.
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of source) {
    if (carry.length === 0 && chunk.length % LINE === 0 && chunk.length <= block) {
      // Whole lines (a block read by fileBlocks): encoded as they are, no copy.
      yield out.subarray(0, base64LinesInto(chunk, out));
      continue;
    }
    let data = carry.length > 0 ? Buffer.concat([carry, chunk]) : Buffer.from(chunk);
    while (data.length >= LINE) {
      const take = Math.min(block, data.length - (data.length % LINE));
      const n = base64LinesInto(data.subarray(0, take), out);
      yield out.subarray(0, n);
      data = data.subarray(take);
    }
    carry = Buffer.from(data);
  }
  if (carry.length > 0) yield out.subarray(0, base64LinesInto(carry, out));
}

/** RFC 5322 date of `d` in UTC. */
function rfc5322Date(d: Date): string {
  return d.toUTCString().replace("GMT", "+0000");
}

/** Header section (CRLF-terminated, blank line included) of a bench message. */
function headerOf(message: BenchMessage, contentType: string, encoding: string): string {
  const id = `<${randomBytes(12).toString("hex")}@bench.test>`;
  return (
    `From: ${message.from}${CRLF}To: ${message.to.join(", ")}${CRLF}Subject: ${message.subject}${CRLF}` +
    `Date: ${rfc5322Date(new Date())}${CRLF}Message-ID: ${id}${CRLF}MIME-Version: 1.0${CRLF}` +
    `Content-Type: ${contentType}${CRLF}Content-Transfer-Encoding: ${encoding}${CRLF}${CRLF}`
  );
}

/** The text as CRLF lines, dot-stuffed when `stuff` (DATA). */
function textLines(text: string, stuff: boolean): string {
  const crlf = text.replace(/\r?\n/g, CRLF);
  return stuff ? crlf.replace(/^\./gm, "..") : crlf;
}

/** The envelope commands of a message (MAIL, one RCPT per recipient). */
function envelopeOf(message: BenchMessage): string {
  const from = /<([^>]*)>/.exec(message.from)?.[1] ?? message.from;
  let out = `MAIL FROM:<${from}>${CRLF}`;
  for (const to of message.to) out += `RCPT TO:<${to}>${CRLF}`;
  return out;
}

/**
 * The raw pipelined client (see the file comment). `send` queues; messages go out in order.
 *
 * @since 0.2.0
 */
export class RawClient {
  readonly #options: RawClientOptions;
  readonly #window: number;
  #socket: Socket | undefined;
  #ready: Promise<void> | undefined;
  #chunking = false;
  #received = "";
  readonly #expected: Expected[] = [];
  readonly #queue: Pending[] = [];
  /** DATA mode: the message whose envelope is on the wire, waiting for its 354. */
  #awaiting354: Pending | undefined;
  /** CHUNKING mode: messages written, not yet answered. */
  #inFlight = 0;
  #writing = false;
  #failed: Error | undefined;
  /** Messages started on the current connection. */
  #started = 0;
  /** The connection is being replaced: nothing new starts until the next one is ready. */
  #recycling = false;

  constructor(options: RawClientOptions) {
    this.#options = options;
    this.#window = options.window ?? 64;
  }

  send(message: BenchMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#failed) {
        reject(this.#failed);
        return;
      }
      this.#queue.push({ message, resolve, reject });
      this.#ready ??= this.#open();
      this.#ready.then(
        () => this.#pump(),
        (error: Error) => this.#failAll(error),
      );
    });
  }

  async close(): Promise<void> {
    const socket = this.#socket;
    if (!socket || socket.destroyed) return;
    await new Promise<void>((resolve) => {
      this.#expect(() => resolve());
      socket.write(`QUIT${CRLF}`);
      socket.once("close", () => resolve());
    });
    socket.destroy();
  }

  /** QUIT the spent connection, then open the next one and go on. */
  async #recycle(): Promise<void> {
    this.#recycling = true;
    try {
      await this.close();
      this.#socket = undefined;
      this.#received = "";
      this.#started = 0;
      await this.#open();
    } catch (error) {
      this.#failAll(error as Error);
      return;
    }
    this.#recycling = false;
    this.#pump();
  }

  async #open(): Promise<void> {
    const socket = connect({ host: this.#options.host, port: this.#options.port });
    socket.setNoDelay(true);
    this.#socket = socket;
    socket.on("data", (chunk: Buffer) => this.#onData(chunk));
    socket.on("error", (error) => this.#failAll(error));
    socket.on("close", () => {
      if (this.#socket === socket && !this.#recycling)
        this.#failAll(new Error("connection closed"));
    });
    const reply = () =>
      new Promise<{ code: number; text: string }>((resolve) =>
        this.#expect((code, text) => resolve({ code, text })),
      );
    const greeting = await reply();
    if (greeting.code !== 220) throw new Error(`greeting ${greeting.code}`);
    socket.write(`EHLO raw.bench.test${CRLF}`);
    const ehlo = await reply();
    if (ehlo.code !== 250) throw new Error(`EHLO ${ehlo.code}`);
    this.#chunking = /^CHUNKING$/im.test(ehlo.text) && /^PIPELINING$/im.test(ehlo.text);
    const auth = this.#options.auth;
    if (auth) {
      const plain = Buffer.from(`\0${auth.user}\0${auth.pass}`).toString("base64");
      socket.write(`AUTH PLAIN ${plain}${CRLF}`);
      const authed = await reply();
      if (authed.code !== 235) throw new Error(`AUTH ${authed.code}`);
    }
  }

  #expect(onReply: Expected["onReply"]): void {
    this.#expected.push({ onReply });
  }

  /** Splits replies (multi-line ones joined) and hands each to the oldest expectation. */
  #onData(chunk: Buffer): void {
    this.#received += chunk.toString("latin1");
    let text = "";
    for (;;) {
      const end = this.#received.indexOf("\n");
      if (end < 0) break;
      const line = this.#received.slice(0, end).replace(/\r$/, "");
      this.#received = this.#received.slice(end + 1);
      text += `${line.slice(4)}\n`;
      if (line[3] === "-") continue;
      const code = Number(line.slice(0, 3));
      const next = this.#expected.shift();
      next?.onReply(code, text);
      text = "";
    }
    if (text !== "") this.#received = text + this.#received; // never: a reply is line-complete
  }

  #pump(): void {
    if (this.#writing || this.#failed || this.#recycling) return;
    if (this.#started >= PER_CONNECTION) {
      if (this.#expected.length === 0 && this.#queue.length > 0) void this.#recycle();
      return;
    }
    if (this.#chunking) {
      if (this.#queue.length > 0 && this.#inFlight < this.#window) void this.#writeBdat();
    } else if (this.#awaiting354 === undefined && this.#queue.length > 0) {
      this.#startData(this.#queue.shift()!, "");
    }
  }

  /** DATA: writes `prefix` (the previous body and its end) with `p`'s envelope and DATA. */
  #startData(p: Pending, prefix: string | Buffer[]): void {
    this.#started++;
    const envelope = `${envelopeOf(p.message)}DATA${CRLF}`;
    const refuse = (what: string) => (code: number) => {
      if (code >= 400) p.reject(new Error(`${what} ${code}`));
    };
    this.#expect(refuse("MAIL"));
    for (let i = 0; i < p.message.to.length; i++) this.#expect(refuse("RCPT"));
    this.#awaiting354 = p;
    this.#expect((code) => {
      this.#awaiting354 = undefined;
      if (code !== 354) {
        p.reject(new Error(`DATA ${code}`));
        this.#pump();
        return;
      }
      void this.#writeBody(p);
    });
    if (typeof prefix === "string") this.#socket!.write(prefix + envelope);
    else this.#socket!.write(Buffer.concat([...prefix, Buffer.from(envelope, "latin1")]));
  }

  /** DATA: after 354, the body, its end and (in the same write) the next envelope. */
  async #writeBody(p: Pending): Promise<void> {
    const message = p.message;
    this.#expect((code) => {
      if (code === 250) p.resolve();
      else p.reject(new Error(`end ${code}`));
      this.#pump();
    });
    const tail = `.${CRLF}`;
    if (message.attachments === undefined) {
      const bytes = `${headerOf(message, "text/plain; charset=utf-8", "7bit")}${textLines(message.text, true)}${tail}`;
      const next = this.#started < PER_CONNECTION ? this.#queue.shift() : undefined;
      if (next) this.#startData(next, bytes);
      else this.#socket!.write(bytes);
      return;
    }
    this.#writing = true;
    try {
      await this.#writeAttachmentBody(message);
    } catch (error) {
      this.#failAll(error as Error);
      return;
    }
    this.#writing = false;
    const next = this.#started < PER_CONNECTION ? this.#queue.shift() : undefined;
    if (next) this.#startData(next, tail);
    else this.#socket!.write(tail);
  }

  /** A multipart/mixed body: the text, then the attachment's base64 lines, chunk by chunk. */
  async #writeAttachmentBody(message: BenchMessage): Promise<void> {
    const socket = this.#socket!;
    const attachment = message.attachments![0]!;
    const boundary = `raw-${randomBytes(8).toString("hex")}`;
    const head =
      headerOf(message, `multipart/mixed; boundary="${boundary}"`, "7bit") +
      `--${boundary}${CRLF}Content-Type: text/plain; charset=utf-8${CRLF}Content-Transfer-Encoding: 7bit${CRLF}${CRLF}` +
      `${textLines(message.text, true)}--${boundary}${CRLF}` +
      `Content-Type: ${attachment.contentType}; name="${attachment.filename}"${CRLF}` +
      `Content-Transfer-Encoding: base64${CRLF}` +
      `Content-Disposition: attachment; filename="${attachment.filename}"${CRLF}${CRLF}`;
    await write(socket, head);
    const source = attachment.content ?? fileBlocks(attachment.path!);
    for await (const chunk of base64Chunks(source)) await write(socket, chunk);
    await write(socket, `--${boundary}--${CRLF}`);
  }

  /** CHUNKING: one write per message, MAIL, RCPT, `BDAT n LAST` and the bytes. */
  async #writeBdat(): Promise<void> {
    const p = this.#queue.shift()!;
    const message = p.message;
    this.#inFlight++;
    this.#started++;
    let failure: Error | undefined;
    const fail = (what: string) => (code: number) => {
      if (code >= 300) failure ??= new Error(`${what} ${code}`);
    };
    this.#expect(fail("MAIL"));
    for (let i = 0; i < message.to.length; i++) this.#expect(fail("RCPT"));
    this.#expect((code) => {
      this.#inFlight--;
      if (code >= 300) failure ??= new Error(`BDAT ${code}`);
      if (failure) p.reject(failure);
      else p.resolve();
      this.#pump();
    });
    if (message.attachments !== undefined) {
      this.#failAll(new Error("the raw client sends attachments with DATA only"));
      return;
    }
    // ASCII only: the string's length is its size in octets.
    const body = `${headerOf(message, "text/plain; charset=utf-8", "7bit")}${textLines(message.text, false)}`;
    this.#socket!.write(`${envelopeOf(message)}BDAT ${body.length} LAST${CRLF}${body}`);
    this.#pump();
  }

  #failAll(error: Error): void {
    if (this.#failed) return;
    this.#failed = error;
    this.#awaiting354?.reject(error);
    for (const p of this.#queue.splice(0)) p.reject(error);
    for (const e of this.#expected.splice(0)) e.onReply(0, error.message);
  }
}

/** Writes and waits for the socket to take more when its buffer is full. */
async function write(socket: Socket, bytes: string | Uint8Array): Promise<void> {
  if (socket.write(bytes)) return;
  await new Promise<void>((resolve, reject) => {
    const done = (error?: Error) => {
      socket.off("drain", onDrain);
      socket.off("close", onClose);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(new Error("connection closed"));
    socket.once("drain", onDrain);
    socket.once("close", onClose);
  });
}
