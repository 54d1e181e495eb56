import type { Readable, Writable } from "node:stream";

/**
 * Whether a stream is a terminal.
 *
 * @since 0.1.0
 */
export interface Terminal {
  /** `true` when the stream is a terminal (Node's `isTTY`). */
  isTTY?: boolean;
}

/**
 * Where `smtp` reads and writes: the process's streams and environment by default, others
 * in tests or when embedded.
 *
 * @since 0.1.0
 */
export interface CliIo {
  /** Input: `--password-stdin`, and the answers to prompts when it is a terminal. */
  stdin: Readable & Terminal;
  /** Results: tables, `--json` documents. */
  stdout: Writable & Terminal;
  /** Prompts, progress, `--debug` conversations, warnings and errors. */
  stderr: Writable & Terminal;
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
