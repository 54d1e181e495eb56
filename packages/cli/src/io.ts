import type { Readable, Writable } from "node:stream";

/**
 * Where `smtp` reads and writes: the process's streams and environment by default, others
 * in tests or when embedded.
 *
 * @since 0.1.0
 */
export interface CliIo {
  /** Input: `--password-stdin`, and the answers to prompts when it is a terminal. */
  stdin: Readable & { isTTY?: boolean };
  /** Results: tables, `--json` documents. */
  stdout: Writable & { isTTY?: boolean };
  /** Prompts, progress, `--debug` conversations, warnings and errors. */
  stderr: Writable & { isTTY?: boolean };
  /** The environment (`SMTP_URL`, `SMTP_PASS`). */
  env: Readonly<Record<string, string | undefined>>;
}

/** The process's own streams and environment. */
export function processIo(): CliIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/** Whether prompts may ask: standard input is a terminal (never in scripts and pipes). */
export function interactive(io: CliIo): boolean {
  return io.stdin.isTTY === true;
}

/** Writes `text` and a line end. */
export function println(stream: Writable, text = ""): void {
  stream.write(`${text}\n`);
}

/** Writes a value as a JSON document on stdout. */
export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
