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
