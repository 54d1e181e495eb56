import { expect } from "vitest";
import { MimeError } from "./errors.ts";

/** The {@link MimeError} that `run` throws; fails the test when it throws nothing or another error. */
export function refusal(run: () => unknown): MimeError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(MimeError);
    return error as MimeError;
  }
  throw new Error("expected a MimeError");
}
