import type { SmtpError } from "../errors.ts";
import type { RuntimeErrorTable } from "./runtime-error.ts";

/** A runtime's table with a row of every meaning, a code family and message patterns. */
export const table: RuntimeErrorTable = {
  codes: {
    ECONNREFUSED: "network",
    Refused: ["network", "ECONNREFUSED"],
    BAD_CERT: "certificate",
    NoCapability: "permission",
    WRONG_VERSION: "not-tls",
  },
  codePatterns: [[/^ERR_SSL_/, "tls"]],
  messages: [
    [/plaintext answer/, "not-tls"],
    [/unknown issuer/, ["certificate", "UNABLE_TO_VERIFY_LEAF_SIGNATURE"]],
    [/certificate/, "certificate"],
    [/handshake alert/, "tls"],
  ],
};

export const peer = { host: "mx.example.test", port: 25 };

/** An `Error` as a runtime throws it: a message, and maybe a `code`, a `name`, a `cause`. */
export function runtimeError(fields: {
  code?: string;
  name?: string;
  message?: string;
  cause?: unknown;
}): Error {
  const error = new Error(
    fields.message ?? "failed",
    "cause" in fields ? { cause: fields.cause } : undefined,
  );
  if (fields.name) error.name = fields.name;
  return Object.assign(error, fields.code ? { code: fields.code } : {});
}

/** What an error reports, enough to tell which meaning won. */
export function verdict(error: SmtpError): Pick<SmtpError, "kind" | "detail" | "retryable"> {
  return { kind: error.kind, detail: error.detail, retryable: error.retryable };
}

/** The verdict when nothing is known, outside a handshake, and there is no code. */
export const UNKNOWN = { kind: "connection", detail: undefined, retryable: true };
