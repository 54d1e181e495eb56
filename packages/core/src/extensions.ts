import { SmtpError, type SmtpErrorDetail } from "./errors.ts";
import type { Capabilities } from "./reply-types.ts";
import type { SendJob, SessionOptions } from "./session-types.ts";

// What a message needs of the server before its MAIL may go out, one row per extension.
// Checked in order when the transaction starts; the first that does not hold fails the
// message with its error, and nothing of it is sent.

/** What a precondition looks at. */
export interface PreconditionFacts {
  job: SendJob;
  caps: Capabilities;
  /** The connection is TLS. */
  secure: boolean;
  /** The message goes with BDAT (CHUNKING and PIPELINING offered, `chunking` not off). */
  bdat: boolean;
}

/** One extension's rule. */
export interface Precondition {
  /** The extension, as the server advertises it. */
  extension: string;
  /** What the message needs, in words (for the docs). */
  rule: string;
  holds(facts: PreconditionFacts): boolean;
  /** The error when it does not hold; a row without one never refuses (it only documents). */
  refusal?(facts: PreconditionFacts): SmtpError;
}

/** A `rejected` error for an extension the message needs and the server lacks. */
export function unsupported(message: string, detail: SmtpErrorDetail): SmtpError {
  return new SmtpError({ kind: "rejected", message, detail, retryable: false });
}

/** The rows, in the order they are checked. */
export const PRECONDITIONS: readonly Precondition[] = [
  {
    extension: "SIZE",
    rule: "a known size no larger than the server's advertised limit (0: no limit)",
    holds: ({ job, caps }) =>
      job.size === undefined || caps.size === undefined || caps.size <= 0 || job.size <= caps.size,
    refusal: ({ job, caps }) =>
      new SmtpError({
        kind: "size",
        message: `the message (${job.size} octets) exceeds the server's limit of ${caps.size} octets`,
        retryable: false,
      }),
  },
  {
    extension: "SMTPUTF8",
    rule: "offered when the envelope or headers are UTF-8 (RFC 6531)",
    holds: ({ job, caps }) => job.smtpUtf8 !== true || caps.smtpUtf8,
    refusal: () => unsupported("the server does not offer SMTPUTF8", "smtputf8-unsupported"),
  },
  {
    extension: "8BITMIME",
    rule: "offered when the body has 8-bit octets (RFC 6152); a binary body is judged by BINARYMIME",
    holds: ({ job, caps }) => job.eightBit !== true || job.binary === true || caps.eightBitMime,
    refusal: () => unsupported("the server does not offer 8BITMIME", "8bitmime-unsupported"),
  },
  {
    extension: "BINARYMIME",
    rule: "offered with CHUNKING and PIPELINING when the body is binary (RFC 3030)",
    holds: ({ job, caps, bdat }) => job.binary !== true || (bdat && caps.binaryMime),
    refusal: () =>
      unsupported(
        "the server does not offer BINARYMIME with CHUNKING and PIPELINING",
        "binarymime-unsupported",
      ),
  },
  {
    extension: "REQUIRETLS",
    rule: "a TLS connection when the message asks for REQUIRETLS (RFC 8689); never a fallback",
    holds: ({ job, secure }) => job.requireTls !== true || secure,
    refusal: () =>
      new SmtpError({
        kind: "tls-required",
        message: "requireTls: the connection is not TLS",
        detail: "requiretls-not-tls",
        retryable: false,
      }),
  },
  {
    extension: "REQUIRETLS",
    rule: "offered when the message asks for REQUIRETLS",
    holds: ({ job, caps }) => job.requireTls !== true || caps.requireTls,
    refusal: () =>
      new SmtpError({
        kind: "tls-required",
        message: "requireTls: the server does not offer REQUIRETLS",
        detail: "requiretls-unsupported",
        retryable: false,
      }),
  },
  {
    extension: "DSN",
    rule: "none: without DSN the message goes without its NOTIFY/RET/ENVID/ORCPT parameters",
    holds: () => true,
  },
];

/** Whether the message goes with BDAT rather than DATA on a server with `caps`. */
export function usesBdat(job: SendJob, caps: Capabilities, options: SessionOptions): boolean {
  return caps.chunking && caps.pipelining && (job.binary === true || options.chunking !== false);
}

/** The error of the first precondition that does not hold, or `undefined`. */
export function firstRefusal(facts: PreconditionFacts): SmtpError | undefined {
  return PRECONDITIONS.find((p) => !p.holds(facts))?.refusal?.(facts);
}
