import { SmtpError } from "@smtp/core";
import { describe, expect, it } from "vitest";
import { abortedError, timeoutError, toSmtpError } from "./node-error.ts";

const where = { host: "mail.example.test", port: 587, stage: "connect" as const };

function nodeError(code: string, message = `${code} happened`): Error {
  return Object.assign(new Error(message), { code });
}

describe("toSmtpError", () => {
  it.each(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EPIPE", "EHOSTUNREACH"])(
    "%s is a retryable `connection` error keeping the original as cause",
    (code) => {
      const original = nodeError(code);
      const error = toSmtpError(original, where);
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
    expect(toSmtpError(original, where)).toMatchObject({
      kind: "tls",
      retryable: false,
      detail: code,
      cause: original,
    });
  });

  it("finds the code inside an AggregateError (happy eyeballs) and a cause chain", () => {
    const inner = nodeError("ECONNREFUSED");
    const aggregate = new AggregateError([nodeError("ENETUNREACH"), inner], "all failed");
    expect(toSmtpError(aggregate, where)).toMatchObject({ kind: "connection", cause: aggregate });
    const wrapped = new Error("outer", { cause: nodeError("CERT_HAS_EXPIRED") });
    expect(toSmtpError(wrapped, where)).toMatchObject({ kind: "tls", detail: "CERT_HAS_EXPIRED" });
  });

  it("explains an OpenSSL 'wrong version number' as a port/secure mismatch", () => {
    const original = nodeError(
      "ERR_SSL_WRONG_VERSION_NUMBER",
      "C0E7:error:0A00010B:SSL routines:ssl3_get_record:wrong version number",
    );
    const error = toSmtpError(original, { ...where, stage: "tls" });
    expect(error).toMatchObject({ kind: "tls", detail: "not-tls", retryable: false });
    expect(error.message).toMatch(/secure: false/);
  });

  it("an AbortError becomes `aborted`; an SmtpError passes through unchanged", () => {
    const abort = Object.assign(new Error("The operation was aborted"), { name: "AbortError" });
    expect(toSmtpError(abort, where)).toMatchObject({ kind: "aborted", cause: abort });
    const smtp = new SmtpError({ kind: "protocol", message: "x" });
    expect(toSmtpError(smtp, where)).toBe(smtp);
  });

  it("anything else is still a `connection` error with the original as cause", () => {
    const odd = { weird: true };
    expect(toSmtpError(odd, where)).toMatchObject({ kind: "connection", cause: odd });
  });
});

describe("timeoutError and abortedError", () => {
  it("name the phase and are retryable", () => {
    expect(timeoutError("connect", where, 5000)).toMatchObject({
      kind: "timeout",
      phase: "connect",
      retryable: true,
    });
    expect(timeoutError("tls", where, 5000).message).toMatch(/TLS handshake/);
  });

  it("abortedError keeps the reason as cause, or returns an SmtpError reason as is", () => {
    const reason = new Error("stop");
    expect(abortedError(reason, "x")).toMatchObject({ kind: "aborted", cause: reason });
    const smtp = new SmtpError({ kind: "timeout", message: "t" });
    expect(abortedError(smtp, "x")).toBe(smtp);
  });
});
