import { SmtpError } from "@smtp/core";
import { toTransportError } from "@smtp/core/transport-kit";
import { describe, expect, it } from "vitest";
import { NODE_ERRORS } from "./node-errors.ts";

const peer = { host: "mail.example.test", port: 587 };

function nodeError(code: string, message = `${code} happened`): Error {
  return Object.assign(new Error(message), { code });
}

const map = (error: unknown, stage: "connect" | "tls" | "starttls" | "read" = "connect") =>
  toTransportError(error, NODE_ERRORS, peer, stage);

describe("NODE_ERRORS", () => {
  it.each(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EPIPE", "EHOSTUNREACH"])(
    "%s is a retryable `connection` error with the code as detail, keeping the cause",
    (code) => {
      const original = nodeError(code);
      const error = map(original);
      expect(error).toBeInstanceOf(SmtpError);
      expect(error).toMatchObject({ kind: "connection", retryable: true, detail: code });
      expect(error.cause).toBe(original);
      expect(error.message).toContain("mail.example.test:587");
    },
  );

  it.each([
    "ERR_TLS_CERT_ALTNAME_INVALID",
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    "SELF_SIGNED_CERT_IN_CHAIN",
    "DEPTH_ZERO_SELF_SIGNED_CERT",
    "CERT_HAS_EXPIRED",
    "ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION",
  ])("%s is a `tls` error that is not retryable", (code) => {
    const original = nodeError(code);
    expect(map(original, "tls")).toMatchObject({
      kind: "tls",
      retryable: false,
      detail: code,
      cause: original,
    });
  });

  it("finds the code inside an AggregateError (happy eyeballs) and a cause chain", () => {
    const aggregate = new AggregateError(
      [nodeError("ENETUNREACH"), nodeError("ECONNREFUSED")],
      "all failed",
    );
    expect(map(aggregate)).toMatchObject({ kind: "connection", cause: aggregate });
    const wrapped = new Error("outer", { cause: nodeError("CERT_HAS_EXPIRED") });
    expect(map(wrapped, "tls")).toMatchObject({ kind: "tls", detail: "CERT_HAS_EXPIRED" });
  });

  it("OpenSSL's 'wrong version number' is a port/secure mismatch, or injection after STARTTLS", () => {
    const original = nodeError(
      "ERR_SSL_WRONG_VERSION_NUMBER",
      "C0E7:error:0A00010B:SSL routines:ssl3_get_record:wrong version number",
    );
    const error = map(original, "tls");
    expect(error).toMatchObject({ kind: "tls", detail: "not-tls", retryable: false });
    expect(error.message).toMatch(/secure: false/);
    expect(map(original, "starttls")).toMatchObject({
      kind: "protocol",
      detail: "starttls-injection",
    });
  });

  it("Bun's codeless certificate complaints are still `tls`", () => {
    const error = map(new Error("unable to verify the first certificate"), "starttls");
    expect(error).toMatchObject({ kind: "tls", detail: "certificate", retryable: false });
  });

  it("an AbortError becomes `aborted`; an SmtpError passes through unchanged", () => {
    const abort = Object.assign(new Error("The operation was aborted"), { name: "AbortError" });
    expect(map(abort)).toMatchObject({ kind: "aborted", cause: abort });
    const smtp = new SmtpError({ kind: "protocol", message: "x" });
    expect(map(smtp)).toBe(smtp);
  });

  it("anything else is a `connection` error with the original as cause", () => {
    const odd = { weird: true };
    expect(map(odd)).toMatchObject({ kind: "connection", cause: odd });
  });
});
