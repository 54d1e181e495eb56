import { describe, expect, it } from "vitest";
import { parseCapabilities } from "./capabilities.ts";
import { fieldsOf } from "./errors.test-util.ts";
import { firstRefusal, usesBdat } from "./extensions.ts";
import type { SendJob } from "./session-types.ts";

// What a message needs of the server before its MAIL goes out, and BDAT or DATA.

const JOB: SendJob = { from: "a@example.org", to: ["b@example.net"] };
const caps = (...keywords: string[]) =>
  parseCapabilities({ code: 250, lines: ["mx.example", ...keywords] });
const OPTIONS = { ehloName: "client.example", servername: "mx.example" };

/** The refusal's fields for `job` on a server offering `keywords` (plain connection, DATA). */
function refused(job: SendJob, keywords: string[], facts = { secure: false, bdat: false }) {
  const error = firstRefusal({ job, caps: caps(...keywords), ...facts });
  return error === undefined ? undefined : fieldsOf(error);
}

describe("preconditions", () => {
  it("SIZE: at the limit passes, over it fails; SIZE 0 means no limit", () => {
    expect(refused({ ...JOB, size: 1000 }, ["SIZE 1000"])).toBeUndefined();
    expect(refused({ ...JOB, size: 1001 }, ["SIZE 1000"])).toEqual({
      kind: "size",
      message: "the message (1001 octets) exceeds the server's limit of 1000 octets",
      retryable: false,
    });
    expect(refused({ ...JOB, size: 10 ** 9 }, ["SIZE 0"])).toBeUndefined();
    expect(refused({ ...JOB, size: 10 ** 9 }, ["SIZE"])).toBeUndefined();
  });

  it("SMTPUTF8 and 8BITMIME refusals", () => {
    expect(refused({ ...JOB, smtpUtf8: true }, [])).toEqual({
      kind: "rejected",
      message: "the server does not offer SMTPUTF8",
      detail: "smtputf8-unsupported",
      retryable: false,
    });
    expect(refused({ ...JOB, eightBit: true }, [])).toEqual({
      kind: "rejected",
      message: "the server does not offer 8BITMIME",
      detail: "8bitmime-unsupported",
      retryable: false,
    });
  });

  it("a binary 8-bit body needs BINARYMIME, not 8BITMIME", () => {
    const binary = { ...JOB, eightBit: true, binary: true };
    const bdat = { secure: false, bdat: true };
    expect(refused(binary, ["CHUNKING", "PIPELINING", "BINARYMIME"], bdat)).toBeUndefined();
    expect(refused(binary, ["CHUNKING", "PIPELINING"], bdat)).toEqual({
      kind: "rejected",
      message: "the server does not offer BINARYMIME with CHUNKING and PIPELINING",
      detail: "binarymime-unsupported",
      retryable: false,
    });
  });

  it("REQUIRETLS refusals, exactly", () => {
    const job = { ...JOB, requireTls: true };
    expect(refused(job, ["REQUIRETLS"])).toEqual({
      kind: "tls-required",
      message: "requireTls: the connection is not TLS",
      detail: "requiretls-not-tls",
      retryable: false,
    });
    expect(refused(job, [], { secure: true, bdat: false })).toEqual({
      kind: "tls-required",
      message: "requireTls: the server does not offer REQUIRETLS",
      detail: "requiretls-unsupported",
      retryable: false,
    });
  });
});

describe("usesBdat", () => {
  const chunking = caps("CHUNKING", "PIPELINING");
  it("BDAT with CHUNKING and PIPELINING; chunking: false keeps DATA unless the body is binary", () => {
    expect(usesBdat(JOB, chunking, OPTIONS)).toBe(true);
    expect(usesBdat(JOB, chunking, { ...OPTIONS, chunking: false })).toBe(false);
    expect(usesBdat({ ...JOB, binary: true }, chunking, { ...OPTIONS, chunking: false })).toBe(
      true,
    );
    expect(usesBdat({ ...JOB, binary: true }, caps("CHUNKING"), OPTIONS)).toBe(false);
    expect(usesBdat(JOB, caps("PIPELINING"), OPTIONS)).toBe(false);
  });
});
