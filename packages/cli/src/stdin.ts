import { SmtpError } from "@smtp/client";
import type { CliIo } from "./io.ts";

/** The most read from standard input for a password: it is one line. */
const MAX_SECRET = 64 * 1024;

/**
 * `--password-stdin`: the first line of standard input (the line end removed), read to its
 * end but never more than 64 KiB.
 */
export async function readSecretFromStdin(io: CliIo): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of io.stdin) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    size += bytes.length;
    if (size > MAX_SECRET) {
      throw new SmtpError({
        kind: "invalid-input",
        message: `--password-stdin: standard input is longer than ${MAX_SECRET} bytes`,
        retryable: false,
      });
    }
    chunks.push(bytes);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  const line = text.split(/\r?\n/, 1)[0] ?? "";
  if (line === "") {
    throw new SmtpError({
      kind: "invalid-input",
      message: "--password-stdin: standard input holds no password",
      retryable: false,
    });
  }
  return line;
}
