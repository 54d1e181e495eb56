import { isCancel, password, text } from "@clack/prompts";
import { SmtpError } from "@smtp/client";
import { type CliIo, interactive } from "./io.ts";

function cancelled(): SmtpError {
  return new SmtpError({ kind: "aborted", message: "cancelled at a prompt", retryable: false });
}

function missing(what: string, flag: string): SmtpError {
  return new SmtpError({
    kind: "invalid-input",
    message: `${what} is missing: give ${flag} (prompts only ask when standard input is a terminal)`,
    retryable: false,
  });
}

/**
 * A value the command line did not give: asked for on the terminal, else refused with an
 * `invalid-input` error naming the flag. Prompts write to stderr, so stdout stays clean.
 */
export async function askFor(
  io: CliIo,
  what: { message: string; flag: string; placeholder?: string; optional?: boolean },
): Promise<string> {
  if (!interactive(io)) throw missing(what.message, what.flag);
  const answer = await text({
    message: what.message,
    ...(what.placeholder === undefined ? {} : { placeholder: what.placeholder }),
    input: io.stdin,
    output: io.stderr,
    validate: (value) =>
      what.optional || (value ?? "").trim() !== "" ? undefined : `${what.message} is required`,
  });
  if (isCancel(answer)) throw cancelled();
  return answer.trim();
}

/** A secret asked for with hidden input (the password), or refused off a terminal. */
export async function askSecret(io: CliIo, message: string, flags: string): Promise<string> {
  if (!interactive(io)) throw missing(message, flags);
  const answer = await password({
    message,
    input: io.stdin,
    output: io.stderr,
    validate: (value) => ((value ?? "") === "" ? `${message} is required` : undefined),
  });
  if (isCancel(answer)) throw cancelled();
  return answer;
}
