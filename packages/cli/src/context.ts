import type { CliIo } from "./io.ts";

/** What every command gets: where to read and write, and the interrupt signal (Ctrl-C). */
export interface CommandContext {
  io: CliIo;
  signal: AbortSignal | undefined;
  /** Sets the process's exit status (the last call wins). */
  exit(code: number): void;
}
