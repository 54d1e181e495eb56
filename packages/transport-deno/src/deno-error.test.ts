import { SmtpError } from "@smtp/core";
import { describe, expect, it } from "vitest";
import { toSmtpError } from "./deno-error.ts";

/** An error shaped like Deno's `Deno.errors.*` (matched by name). */
function denoError(name: string, message: string, code?: string): Error {
  const error = new Error(message);
  error.name = name;
  if (code) Object.assign(error, { code });
  return error;
}

describe("toSmtpError", () => {
  it("passes an SmtpError through unchanged", () => {
    const original = new SmtpError({ kind: "protocol", message: "x" });
    expect(toSmtpError(original, "read", "h:1")).toBe(original);
  });

  it("a refused connection is a retryable connection error naming the target", () => {
    const cause = denoError(
      "ConnectionRefused",
      "Connection refused (os error 111)",
      "ECONNREFUSED",
    );
    const error = toSmtpError(cause, "connect", "mail.test:587");
    expect(error.kind).toBe("connection");
    expect(error.retryable).toBe(true);
    expect(error.cause).toBe(cause);
    expect(error.message).toContain("mail.test:587");
    expect(error.message).toContain("ECONNREFUSED");
  });

  it("an OS time-out while connecting or in the handshake is a timeout with that phase", () => {
    const cause = denoError("TimedOut", "timed out");
    expect(toSmtpError(cause, "connect", "h:1")).toMatchObject({
      kind: "timeout",
      phase: "connect",
    });
    expect(toSmtpError(cause, "tls", "h:1")).toMatchObject({ kind: "timeout", phase: "tls" });
    expect(toSmtpError(cause, "read", "h:1")).toMatchObject({ kind: "connection" });
  });

  it("a missing permission is not retryable", () => {
    const error = toSmtpError(denoError("NotCapable", "Requires net access"), "connect", "h:1");
    expect(error.kind).toBe("connection");
    expect(error.retryable).toBe(false);
  });

  it("the peer dropping during either handshake is a retryable connection error, as on Node", () => {
    for (const name of ["UnexpectedEof", "ConnectionReset", "BrokenPipe"]) {
      for (const stage of ["tls", "starttls"] as const) {
        const error = toSmtpError(denoError(name, "gone"), stage, "h:1");
        expect(error).toMatchObject({ kind: "connection", retryable: true });
      }
    }
  });

  it("other handshake failures are tls and not retryable", () => {
    const cause = denoError("InvalidData", "invalid peer certificate: UnknownIssuer");
    for (const stage of ["tls", "starttls"] as const) {
      expect(toSmtpError(cause, stage, "h:1")).toMatchObject({ kind: "tls", retryable: false });
    }
    expect(toSmtpError(denoError("Other", "odd"), "tls", "h:1").kind).toBe("tls");
  });

  it("plaintext on the implicit-TLS port is tls not-tls with the port-pairing hint", () => {
    const cause = denoError("InvalidData", "received corrupt message of type InvalidContentType");
    const error = toSmtpError(cause, "tls", "mail.test:587");
    expect(error).toMatchObject({ kind: "tls", detail: "not-tls", retryable: false, cause });
    expect(error.message).toContain("secure: false");
    expect(error.message).toContain("465");
  });

  it("plaintext in the STARTTLS handshake is starttls-injection (R7)", () => {
    const cause = denoError("InvalidData", "received corrupt message of type InvalidContentType");
    expect(toSmtpError(cause, "starttls", "h:1")).toMatchObject({
      kind: "protocol",
      detail: "starttls-injection",
      retryable: false,
      cause,
    });
  });

  it("a time-out in the STARTTLS handshake has phase tls", () => {
    expect(toSmtpError(denoError("TimedOut", "t"), "starttls", "h:1")).toMatchObject({
      kind: "timeout",
      phase: "tls",
    });
  });

  it("a certificate failure surfacing on a read is tls too", () => {
    const cause = denoError("InvalidData", "invalid peer certificate: UnknownIssuer");
    expect(toSmtpError(cause, "read", "h:1").kind).toBe("tls");
    expect(
      toSmtpError(denoError("InvalidData", "stream did not contain valid UTF-8"), "read", "h:1")
        .kind,
    ).toBe("connection");
  });

  it("resets, broken pipes and non-Error values are connection errors", () => {
    expect(toSmtpError(denoError("ConnectionReset", "reset"), "read", "h:1").kind).toBe(
      "connection",
    );
    expect(toSmtpError(denoError("BrokenPipe", "pipe"), "write", "h:1").message).toContain(
      "writing to h:1",
    );
    const odd = toSmtpError("weird", "read", "h:1");
    expect(odd.kind).toBe("connection");
    expect(odd.cause).toBe("weird");
  });
});
