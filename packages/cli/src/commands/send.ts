import { Command } from "commander";
import {
  addConnectionFlags,
  type ConnectionFlags,
  resolveConnection,
} from "../connection-flags.ts";
import type { TlsWatch } from "../connector.ts";
import type { CommandContext } from "../context.ts";
import { deliver } from "../deliver.ts";
import { addMessageFlags, buildMessage, type MessageFlags } from "../message-flags.ts";
import { BodyProgress } from "../progress.ts";
import { printSendOutcome, sendReport } from "../send-output.ts";

/** The flags of `smtp send`. */
export interface SendFlags extends ConnectionFlags, MessageFlags {
  json?: boolean;
  progress?: boolean;
}

/** The flags `send` and `record` share. */
export function addSendFlags(command: Command): Command {
  addConnectionFlags(command);
  addMessageFlags(command);
  return command
    .option("--json", "print the outcome as JSON (schema: SEND_REPORT_SCHEMA)")
    .option("--no-progress", "no progress bar for a large message");
}

/** `smtp send`. */
export function sendCommand(context: CommandContext): Command {
  const command = new Command("send").description(
    "send one message; on a terminal, asks for what is missing (server, sender, recipient, subject, text, password)",
  );
  return addSendFlags(command).action(async (flags: SendFlags) => {
    const { io } = context;
    const watch: TlsWatch = { info: undefined };
    const connection = await resolveConnection(flags, io, watch);
    const built = await buildMessage(flags, io);
    const bar = new BodyProgress(io, flags.progress !== false && !flags.json);
    const { info, error } = await deliver(
      {
        options: connection.options,
        dkim: built.dkim,
        tap: { onBodyProgress: (sent, size) => bar.update(sent, size) },
        signal: context.signal,
      },
      built.message,
      built.sendOptions,
    );
    bar.stop(error !== undefined);
    const report = sendReport(connection.describe, info, error);
    context.exit(printSendOutcome(io, flags.json === true, report, error));
  });
}
