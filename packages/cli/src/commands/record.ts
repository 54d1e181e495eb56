import { writeFile } from "node:fs/promises";
import { SmtpError } from "@smtp/client";
import { formatReplayFailure, parseTranscript, replayTranscript } from "@smtp/core/replay";
import { Command } from "commander";
import { resolveConnection } from "../connection-flags.ts";
import type { TlsWatch } from "../connector.ts";
import type { CommandContext } from "../context.ts";
import { deliver } from "../deliver.ts";
import { EXIT_CODES } from "../exit-codes.ts";
import { printJson } from "../io.ts";
import { buildMessage } from "../message-flags.ts";
import {
  PLACEHOLDER_PASS,
  PLACEHOLDER_USER,
  randomBytesOf,
  recordingRandomString,
} from "../record/placeholders.ts";
import { UnrecordableError } from "../record/render.ts";
import { writeTranscript } from "../record/transcript.ts";
import { printSendOutcome, sendReport } from "../send-output.ts";
import { cliVersion } from "../version.ts";
import { addSendFlags, type SendFlags } from "./send.ts";

interface RecordFlags extends SendFlags {
  probeOnly?: boolean;
}

/** `smtp record OUT.smtp …`. */
export function recordCommand(context: CommandContext): Command {
  const command = new Command("record")
    .description(
      "send (or with --probe-only, only connect) and write the conversation as a .smtp transcript that smtp replay and @smtp/core/replay replay; credentials are replaced by placeholders",
    )
    .argument("<out.smtp>", "the transcript to write");
  addSendFlags(command);
  return command
    .option("--probe-only", "connect, EHLO, STARTTLS, AUTH and QUIT: no message")
    .action(async (out: string, flags: RecordFlags) => {
      const { io } = context;
      const watch: TlsWatch = { info: undefined };
      const connection = await resolveConnection(flags, io, watch);
      const built = flags.probeOnly ? undefined : await buildMessage(flags, io);
      const pattern = recordingRandomString();
      const { info, error, sessions } = await deliver(
        {
          options: connection.options,
          dkim: built?.dkim,
          tap: { record: true, holdBodies: true },
          signal: context.signal,
          sessionOptions: (options) => ({ ...options, randomBytes: randomBytesOf(pattern) }),
        },
        built?.message,
        built?.sendOptions ?? {},
      );
      const tap = sessions.at(-1);
      if (tap === undefined) {
        // Nothing was said: no conversation to write.
        io.stderr.write("smtp record: nothing recorded (no conversation took place)\n");
        const report = sendReport(connection.describe, undefined, error);
        context.exit(printSendOutcome(io, flags.json === true, report, error));
        return;
      }
      const greeting = greetingOf(tap.events);
      const tls = watch.info;
      const notes = [
        `Recorded by smtp record (@smtp/cli ${cliVersion()}) from ${connection.describe} on ${new Date().toISOString()}.`,
        ...(tls
          ? [
              `TLS: ${tls.protocol ?? "?"}, ${tls.cipher ?? "?"}; certificate ${tls.certificates[0]?.subject ?? "?"} issued by ${tls.certificates[0]?.issuer ?? "?"}${tls.authorized ? "" : ` (did not verify: ${tls.authorizationError})`}.`,
            ]
          : []),
        ...(tap.options.auth
          ? [
              `Credentials are placeholders (user ${PLACEHOLDER_USER}, password ${PLACEHOLDER_PASS}): the AUTH lines are what the engine sends for them.`,
            ]
          : []),
        ...(sessions.length > 1
          ? [`The client used ${sessions.length} connections: this is the last.`]
          : []),
        `Replay it: smtp replay ${out}, or assertReplay() of @smtp/core/replay in a test.`,
      ];
      let text: string;
      try {
        text = await writeTranscript({
          tap,
          randomPattern: pattern,
          source: `${greeting ?? "no greeting"}; ${connection.describe}; recorded ${new Date().toISOString().slice(0, 10)} with smtp record`,
          notes,
        });
      } catch (failure) {
        if (!(failure instanceof UnrecordableError)) throw failure;
        throw new SmtpError({
          kind: "invalid-input",
          message: `not recorded: ${failure.message}`,
          retryable: false,
        });
      }
      await writeFile(out, text, { mode: 0o644 });
      // The recording must replay: check it now rather than in the user's CI.
      const replay = replayTranscript(parseTranscript(text));
      const sent = sendReport(connection.describe, info, error, out);
      // With --probe-only, success is a session that got ready.
      const report = flags.probeOnly ? { ...sent, ok: error === undefined } : sent;
      let code: number;
      if (flags.probeOnly && error === undefined) {
        if (flags.json) printJson(io, report);
        code = EXIT_CODES.ok;
      } else code = printSendOutcome(io, flags.json === true, report, error);
      if (!replay.ok && replay.failure) {
        io.stderr.write(
          `smtp record: ${out} was written but does not replay:\n${formatReplayFailure(replay.failure, "whole", out)}\n`,
        );
        code = EXIT_CODES["replay-diverged"];
      } else if (!flags.json) {
        io.stderr.write(`Recorded the conversation to ${out} (it replays).\n`);
      }
      context.exit(code);
    });
}

/** The greeting's first line, without its code. */
function greetingOf(events: readonly { type: string; bytes?: Uint8Array }[]): string | undefined {
  const first = events.find((event) => event.type === "server");
  if (!first?.bytes) return undefined;
  const line = new TextDecoder().decode(first.bytes).split("\r\n", 1)[0] ?? "";
  return line.replace(/^\d{3}[ -]/, "");
}
