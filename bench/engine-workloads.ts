/**
 * The inputs of the engine-alone measurement (engine.ts): server reply streams cut the way
 * a server writes them, message bodies cut into the chunks the DATA encoder is given, and
 * the checks that prove the engine handled them right (a reply stream parsed back to its
 * lines, a stuffed body un-stuffed back to its input).
 */

const encoder = new TextEncoder();

/** Server replies as the parser receives them: each chunk is one server write. @since 0.2.0 */
export interface ReplyWorkload {
  name: string;
  chunks: Uint8Array[];
  /** Every reply in the stream, as its raw lines (code and separator included, no CRLF). */
  replies: string[][];
  bytes: number;
}

/** A Postfix-like EHLO reply: 12 lines. */
const EHLO = [
  "250-mail.bench.test",
  "250-PIPELINING",
  "250-SIZE 10240000",
  "250-VRFY",
  "250-ETRN",
  "250-STARTTLS",
  "250-AUTH PLAIN LOGIN",
  "250-ENHANCEDSTATUSCODES",
  "250-8BITMIME",
  "250-DSN",
  "250-SMTPUTF8",
  "250 CHUNKING",
];

/**
 * One pipelined transaction's replies in the server's two writes: MAIL, RCPT and DATA
 * answered together, then the reply to the message.
 */
const TRANSACTION = [
  [["250 2.1.0 Ok"], ["250 2.1.5 Ok"], ["354 End data with <CR><LF>.<CR><LF>"]],
  [["250 2.0.0 Ok: queued as 4NxYz1bC2dz3"]],
];

function replyStream(name: string, writes: string[][][], repeat: number): ReplyWorkload {
  const chunks: Uint8Array[] = [];
  const replies: string[][] = [];
  for (let i = 0; i < repeat; i++) {
    for (const write of writes) {
      chunks.push(encoder.encode(write.map((reply) => `${reply.join("\r\n")}\r\n`).join("")));
      replies.push(...write);
    }
  }
  return { name, chunks, replies, bytes: chunks.reduce((a, c) => a + c.length, 0) };
}

/** The reply streams measured: single-line pipelined replies and multi-line EHLO replies. @since 0.2.0 */
export function replyWorkloads(): ReplyWorkload[] {
  return [
    replyStream(
      "pipelined single-line replies (250, 250, 354 in one write, then 250)",
      TRANSACTION,
      500,
    ),
    replyStream("EHLO, 12 lines in one write", [[EHLO]], 200),
  ];
}

/** A message body and the chunks the DATA encoder gets it in. @since 0.2.0 */
export interface BodyWorkload {
  name: string;
  body: Uint8Array;
  chunkSize: number;
  chunks: Uint8Array[];
}

const WORDS = (
  "the of and to in is that for it as with was on be by this are from at or an have not " +
  "message server client delivery mail relay queue header line body recipient sender " +
  "attachment report meeting tomorrow please find attached regards thanks schedule"
).split(" ");

/**
 * About `bytes` of plain text in CRLF lines of up to 72 characters with a blank line now and
 * then, the same every time (a fixed pseudo-random sequence); with `dots`, every line starts
 * with a dot, so every line is stuffed.
 */
function textBody(bytes: number, dots: boolean): Uint8Array {
  let seed = 12345;
  const next = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 16) % n;
  };
  const lines: string[] = [];
  let size = 0;
  while (size < bytes) {
    let line = dots ? "." : "";
    if (next(8) !== 0) {
      while (line.length < 60) line += `${WORDS[next(WORDS.length)]} `;
      line = line.trimEnd();
    }
    lines.push(line);
    size += line.length + 2;
  }
  return encoder.encode(`${lines.join("\r\n")}\r\n`);
}

function chunked(body: Uint8Array, size: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < body.length; at += size) chunks.push(body.subarray(at, at + size));
  return chunks;
}

/**
 * The bodies measured, 1 MiB each: typical text, and text whose every line starts with a
 * dot; each in 4 KiB chunks (the encoder's short-chunk path) and 64 KiB chunks (its
 * line-by-line native search).
 *
 * @since 0.2.0
 */
export function bodyWorkloads(): BodyWorkload[] {
  const bodies = [
    { name: "text", body: textBody(1 << 20, false) },
    { name: "every line starts with '.'", body: textBody(1 << 20, true) },
  ];
  return bodies.flatMap(({ name, body }) =>
    [4096, 65536].map((chunkSize) => ({
      name,
      body,
      chunkSize,
      chunks: chunked(body, chunkSize),
    })),
  );
}

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;

/**
 * Undoes DATA dot-stuffing: checks that `stuffed` ends with the `.` CRLF terminator and that
 * every other line starting with a dot starts with two, and returns the body with one
 * leading dot taken off each such line; or a string saying what is wrong.
 *
 * @since 0.2.0
 */
export function unstuff(stuffed: Uint8Array): Uint8Array | string {
  const n = stuffed.length;
  const terminated =
    n >= 3 &&
    stuffed[n - 3] === DOT &&
    stuffed[n - 2] === CR &&
    stuffed[n - 1] === LF &&
    (n === 3 || (stuffed[n - 5] === CR && stuffed[n - 4] === LF));
  if (!terminated) return "the output does not end with CRLF . CRLF";
  const body = stuffed.subarray(0, n - 3);
  const out = new Uint8Array(body.length);
  let length = 0;
  let lineStart = true;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i]!;
    if (lineStart && byte === DOT) {
      if (body[i + 1] !== DOT) return `a line starting with one dot at byte ${i}`;
      i++;
    }
    out[length++] = body[i]!;
    lineStart = body[i] === LF && body[i - 1] === CR;
  }
  return out.subarray(0, length);
}

/** Whether two byte arrays hold the same bytes. @since 0.2.0 */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}
