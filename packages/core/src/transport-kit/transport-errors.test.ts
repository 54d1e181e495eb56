import { describe, expect, it } from "vitest";
import { SmtpError } from "../errors.ts";
import { abortedError, closedError, starttlsInjectionError } from "./transport-errors.ts";

const peer = { host: "mx.example.test", port: 587 };

describe("closedError", () => {
  it("is a retryable connection error naming the server and the operation", () => {
    const error = closedError(peer, "write");
    expect(error).toMatchObject({ kind: "connection", retryable: true, detail: undefined });
    expect(error.message).toBe("the connection to mx.example.test:587 is closed (write)");
    expect(closedError({ host: "::1", port: 25 }, "startTls").message).toBe(
      "the connection to [::1]:25 is closed (startTls)",
    );
  });
});

describe("abortedError", () => {
  it("makes any reason but an SmtpError an aborted error, not retryable, with the reason as cause", () => {
    const reason = new DOMException("stopped", "AbortError");
    const error = abortedError(reason, peer);
    expect(error).toMatchObject({ kind: "aborted", retryable: false, cause: reason });
    expect(error.message).toBe("aborted (mx.example.test:587)");
    expect(abortedError("shutting down", peer)).toMatchObject({
      kind: "aborted",
      retryable: false,
      cause: "shutting down",
    });
  });

  it("returns an SmtpError reason as it is", () => {
    const deadline = new SmtpError({ kind: "timeout", message: "connect deadline" });
    expect(abortedError(deadline, peer)).toBe(deadline);
  });
});

describe("starttlsInjectionError", () => {
  it("is the core's protocol error for STARTTLS, not retryable", () => {
    const error = starttlsInjectionError(peer);
    expect(error).toMatchObject({
      kind: "protocol",
      detail: "starttls-injection",
      command: "STARTTLS",
      retryable: false,
    });
    expect(error.message).toBe(
      "mx.example.test:587 sent data after its reply to STARTTLS, before the TLS handshake",
    );
    expect("cause" in error).toBe(false);
  });

  it("keeps the runtime's error as cause when there is one", () => {
    const cause = new Error("wrong version number");
    expect(starttlsInjectionError(peer, cause).cause).toBe(cause);
  });
});
