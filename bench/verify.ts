/**
 * Correctness checks on what the sink received, with mailparser: sampled throughput
 * messages must carry the exact text (dot-stuffed lines and a lone dot included) and every
 * recipient; an attachment must arrive with the SHA-256 it was sent with.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { MailParser, simpleParser } from "mailparser";
import { ATTACHMENT_NAME, TEXT_BODY } from "./fixtures.ts";
import type { StoredMessage } from "./sink.ts";

/** Outcome of a check: how many messages were parsed and what was wrong. @since 0.1.0 */
export interface Check {
  checked: number;
  problems: string[];
}

/**
 * Parses every stored sample and checks subject, text, recipients and envelope.
 *
 * @since 0.1.0
 */
export async function checkTextSample(
  stored: readonly StoredMessage[],
  rcpts: number,
): Promise<Check> {
  const problems: string[] = [];
  let checked = 0;
  for (const message of stored) {
    if (message.raw === undefined) continue;
    checked++;
    const raw = Buffer.from(message.raw, "base64");
    const parsed = await simpleParser(raw);
    const label = parsed.subject ?? "(no subject)";
    if (!/^bench message -?\d+$/.test(parsed.subject ?? "")) problems.push(`${label}: bad subject`);
    if (parsed.text !== TEXT_BODY) problems.push(`${label}: text differs from what was sent`);
    const to = Array.isArray(parsed.to)
      ? parsed.to.flatMap((a) => a.value)
      : (parsed.to?.value ?? []);
    if (to.length !== rcpts)
      problems.push(`${label}: ${to.length} To addresses, expected ${rcpts}`);
    if (message.rcptCount !== rcpts) {
      problems.push(`${label}: ${message.rcptCount} RCPT TO, expected ${rcpts}`);
    }
    if (message.mailFrom !== "sender@bench.test")
      problems.push(`${label}: MAIL FROM ${message.mailFrom}`);
    if (/(^|[^\r])\n/.test(raw.toString("latin1"))) problems.push(`${label}: bare LF on the wire`);
    if (problems.length > 10) break;
  }
  return { checked, problems };
}

/** SHA-256 (hex) of a file. @since 0.1.0 */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * Streams a received message file through mailparser and checks that the attachment
 * named {@link ATTACHMENT_NAME} has SHA-256 `expected`.
 *
 * @since 0.1.0
 */
export async function checkAttachment(file: string, expected: string): Promise<Check> {
  const parser = new MailParser();
  const digests = new Map<string, Promise<string>>();
  parser.on(
    "data",
    (data: {
      type: string;
      filename?: string;
      content?: NodeJS.ReadableStream;
      release?: () => void;
    }) => {
      if (data.type !== "attachment" || !data.content) return;
      const hash = createHash("sha256");
      const content = data.content;
      digests.set(
        data.filename ?? "",
        new Promise((resolve, reject) => {
          content.on("data", (chunk: Buffer) => hash.update(chunk));
          content.on("end", () => {
            data.release?.();
            resolve(hash.digest("hex"));
          });
          content.on("error", reject);
        }),
      );
    },
  );
  const done = new Promise<void>((resolve, reject) => {
    parser.on("end", resolve);
    parser.on("error", reject);
  });
  createReadStream(file).pipe(parser);
  await done;
  const digest = await digests.get(ATTACHMENT_NAME);
  const problems: string[] = [];
  if (digest === undefined) problems.push(`${file}: no attachment named ${ATTACHMENT_NAME}`);
  else if (digest !== expected)
    problems.push(`${file}: attachment SHA-256 ${digest}, sent ${expected}`);
  return { checked: 1, problems };
}
