/**
 * The messages both clients send: the same input shape for @smtp/client and nodemailer
 * (they share nodemailer's field names), so both build equivalent MIME.
 */

/** Sender of every benchmark message. @since 0.1.0 */
export const FROM = "Bench Sender <sender@bench.test>";

/**
 * The text body: about 2.2 KB of ASCII, with a line starting with a dot (must be
 * dot-stuffed) and a line holding only a dot (must not end DATA early).
 *
 * @since 0.1.0
 */
export const TEXT_BODY = buildText();

function buildText(): string {
  const lines: string[] = ["Hello,", ""];
  const filler =
    "The quick brown fox jumps over the lazy dog while the SMTP client pipelines commands.";
  for (let i = 0; lines.join("\n").length < 2000; i++) {
    lines.push(`${String(i).padStart(2, "0")} ${filler}`);
  }
  lines.push(
    "..two dots at the start of this line",
    ".",
    "a line after a lone dot",
    "-- ",
    "bench",
  );
  return `${lines.join("\n")}\n`;
}

/** The `n` recipients of a throughput message. @since 0.1.0 */
export function recipients(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `rcpt${i + 1}@bench.test`);
}

/** Subject of message number `index` (warm-up messages are negative). @since 0.1.0 */
export function subjectOf(index: number): string {
  return `bench message ${index}`;
}

/** A small text message in the shape both clients accept. @since 0.1.0 */
export interface TextMessage {
  from: string;
  to: string[];
  subject: string;
  text: string;
}

/** Throughput message number `index` to `rcpts` recipients (~2.4 KB on the wire). @since 0.1.0 */
export function textMessage(index: number, rcpts: readonly string[]): TextMessage {
  return { from: FROM, to: [...rcpts], subject: subjectOf(index), text: TEXT_BODY };
}

/** File name of the large attachment as it appears in the message. @since 0.1.0 */
export const ATTACHMENT_NAME = "payload.bin";
