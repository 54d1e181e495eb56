import { SmtpError } from "@smtp/client";
import type { CliIo } from "./io.ts";

/** An error as one or two lines for people: kind, message, and the server's reply. */
export function describeError(error: unknown): string {
  if (!(error instanceof SmtpError)) {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
  const parts = [`${error.kind}${error.detail ? ` (${error.detail})` : ""}: ${error.message}`];
  if (error.code !== undefined && !error.message.includes(String(error.code))) {
    const enhanced = error.enhancedCode ? ` ${error.enhancedCode}` : "";
    parts.push(`  the server said: ${error.code}${enhanced} ${error.response ?? ""}`.trimEnd());
  }
  return parts.join("\n");
}

/** Prints `smtp <command>: <error>` on stderr. */
export function printError(io: CliIo, command: string, error: unknown): void {
  io.stderr.write(`smtp${command ? ` ${command}` : ""}: ${describeError(error)}\n`);
}
