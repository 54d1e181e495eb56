import { expect } from "vitest";
import { SmtpError } from "./errors.ts";

/** The {@link SmtpError} that `run` throws; fails the test when it throws nothing or another error. */
export function caught(run: () => unknown): SmtpError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SmtpError);
    return error as SmtpError;
  }
  throw new Error("expected an SmtpError");
}

/** Every field a user reads on `error`, own or inherited, for exact comparison with `toEqual`. */
export function fieldsOf(error: SmtpError): Record<string, unknown> {
  const fields: Record<string, unknown> = { message: error.message };
  for (const key of [
    "kind",
    "code",
    "enhancedCode",
    "response",
    "command",
    "phase",
    "retryable",
    "rejected",
    "detail",
  ] as const) {
    if (error[key] !== undefined) fields[key] = error[key];
  }
  return fields;
}
