import tab from "@bomb.sh/tab/commander";
import { Command, CommanderError } from "commander";
import { bulkCommand } from "./commands/bulk.ts";
import { probeCommand } from "./commands/probe.ts";
import { recordCommand } from "./commands/record.ts";
import { replayCommand } from "./commands/replay.ts";
import { sendCommand } from "./commands/send.ts";
import type { CommandContext } from "./context.ts";
import { printError } from "./errors-output.ts";
import { EXIT_CODES, exitCodeFor } from "./exit-codes.ts";
import { type CliIo, processIo } from "./io.ts";
import { cliVersion } from "./version.ts";

/** Options of {@link runCli}. @since 0.1.0 */
export interface RunCliOptions {
  /** Streams and environment; default: the process's. */
  io?: CliIo;
  /** Aborts what is in progress (the bin wires Ctrl-C to it). */
  signal?: AbortSignal;
}

const EPILOG = `
Exit status: 0 success, 2 usage or invalid input, 3 connection, 4 timeout, 5 tls,
6 tls-required, 7 auth, 8 auth-unavailable, 9 insecure-auth, 10 rejected, 11 size,
12 protocol, 13 partly delivered (send) or some rows failed (bulk), 14 replay diverged,
130 interrupted, 1 unexpected.

Environment: SMTP_URL (the server, e.g. smtps://user@smtp.example.com), SMTP_PASS (the password).`;

function buildProgram(context: CommandContext): Command {
  const { io } = context;
  const program = new Command("smtp")
    .description("send, probe, record and replay SMTP conversations (@smtp/cli)")
    .version(cliVersion(), "-V, --version")
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .showHelpAfterError("(smtp --help for usage)")
    .addHelpText("after", EPILOG)
    .exitOverride();
  for (const command of [
    probeCommand(context),
    sendCommand(context),
    recordCommand(context),
    replayCommand(context),
    bulkCommand(context),
  ]) {
    program.addCommand(command.exitOverride().configureOutput(program.configureOutput()));
  }
  // Shell completion (zsh, bash, fish, powershell): `smtp complete zsh`.
  tab(program);
  return program;
}

/**
 * Runs the `smtp` command line: `argv` are the arguments after the program name
 * (`["probe", "mail.example.com"]`). Resolves with the exit status (see {@link EXIT_CODES});
 * never throws and never exits the process.
 *
 * @since 0.1.0
 */
export async function runCli(
  argv: readonly string[],
  options: RunCliOptions = {},
): Promise<number> {
  const io = options.io ?? processIo();
  let code: number = EXIT_CODES.ok;
  const context: CommandContext = {
    io,
    signal: options.signal,
    exit: (value) => {
      code = value;
    },
  };
  const program = buildProgram(context);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version "fail" with 0; a bad flag is a usage error.
      return error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES["invalid-input"];
    }
    const name = program.args[0] ?? "";
    printError(io, name, error);
    return exitCodeFor(error);
  }
}
