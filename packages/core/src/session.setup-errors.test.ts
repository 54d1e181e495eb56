import { describe, expect, it } from "vitest";
import { fieldsOf } from "./errors.test-util.ts";
import type { SmtpError } from "./errors.ts";
import { Harness } from "./session.test-util.ts";
import type { SessionOptions } from "./session-types.ts";

// Every way the set-up (greeting, EHLO/HELO/LHLO, STARTTLS, AUTH) ends a session, with the
// exact error a caller reads: kind, message, reply fields, command and retryable.

/** Connects, feeds `server` (each element one read, the client's output drained between), answers the QUIT, returns the close error. */
function setupFailure(options: Partial<SessionOptions>, ...server: string[]): SmtpError {
  const h = new Harness(options).connect();
  for (const text of server) {
    h.server(text);
    h.client();
  }
  h.server("221 bye\n");
  const close = h.closeAction();
  expect(close).toMatchObject({ type: "close", reason: "error" });
  return close!.error!;
}

const GREETING = "220 mx ESMTP\n";
const PASSWORD = { user: "u", pass: "p" };

describe("set-up refusals: the error, field for field", () => {
  it("a refused greeting is kind rejected, the server's reply attached", () => {
    expect(fieldsOf(setupFailure({}, "554 5.7.1 no service for you\n"))).toEqual({
      kind: "rejected",
      message: "the server refused the connection",
      code: 554,
      enhancedCode: "5.7.1",
      response: "no service for you",
      retryable: false,
    });
  });

  it("TLS required, STARTTLS not offered", () => {
    const error = setupFailure({ starttls: "required" }, GREETING, "250-mx\n250 PIPELINING\n");
    expect(fieldsOf(error)).toEqual({
      kind: "tls-required",
      message: "TLS is required but the server does not offer STARTTLS",
      retryable: false,
    });
  });

  it("EHLO refused with TLS required: no HELO fallback", () => {
    expect(fieldsOf(setupFailure({ starttls: "required" }, GREETING, "502 5.5.1 what\n"))).toEqual({
      kind: "tls-required",
      message: "EHLO refused: STARTTLS is not possible",
      code: 502,
      enhancedCode: "5.5.1",
      response: "what",
      command: "EHLO",
      retryable: false,
    });
  });

  it("EHLO refused with credentials: no HELO fallback", () => {
    const options = { auth: PASSWORD, allowInsecureAuth: true };
    expect(fieldsOf(setupFailure(options, GREETING, "500 what\n"))).toEqual({
      kind: "auth-unavailable",
      message: "EHLO refused: AUTH is not possible",
      code: 500,
      response: "what",
      command: "EHLO",
      retryable: false,
    });
  });

  it("EHLO refused with a code other than 500/502: rejected, naming EHLO", () => {
    expect(fieldsOf(setupFailure({}, GREETING, "554 5.7.1 not you\n"))).toEqual({
      kind: "rejected",
      message: "EHLO refused",
      code: 554,
      enhancedCode: "5.7.1",
      response: "not you",
      command: "EHLO",
      retryable: false,
    });
  });

  it("LHLO refused (LMTP): rejected, naming LHLO", () => {
    expect(fieldsOf(setupFailure({ lmtp: true }, GREETING, "500 no\n"))).toEqual({
      kind: "rejected",
      message: "LHLO refused",
      code: 500,
      response: "no",
      command: "LHLO",
      retryable: false,
    });
  });

  it("HELO refused after the fallback", () => {
    expect(fieldsOf(setupFailure({}, GREETING, "502 no\n", "450 4.7.1 later\n"))).toEqual({
      kind: "rejected",
      message: "HELO refused",
      code: 450,
      enhancedCode: "4.7.1",
      response: "later",
      command: "HELO",
      retryable: true,
    });
  });

  it("STARTTLS refused with TLS required", () => {
    const error = setupFailure(
      { starttls: "required" },
      GREETING,
      "250-mx\n250 STARTTLS\n",
      "454 4.7.0 TLS not available\n",
    );
    expect(fieldsOf(error)).toEqual({
      kind: "tls-required",
      message: "the server refused STARTTLS",
      code: 454,
      enhancedCode: "4.7.0",
      response: "TLS not available",
      command: "STARTTLS",
      retryable: true,
    });
  });
});

describe("AUTH refusals: the error, field for field", () => {
  const ehloAuth = (mechanisms: string) => `${GREETING}250-mx\n250 AUTH ${mechanisms}\n`;

  it("credentials over cleartext to a peer not declared loopback", () => {
    expect(fieldsOf(setupFailure({ auth: PASSWORD }, ehloAuth("PLAIN")))).toEqual({
      kind: "insecure-auth",
      message: "refusing to send credentials over a connection without TLS",
      retryable: false,
    });
  });

  it("no AUTH offered, and no mechanism both sides support: two messages", () => {
    const secure = { auth: PASSWORD, secure: true };
    expect(fieldsOf(setupFailure(secure, `${GREETING}250 mx\n`))).toEqual({
      kind: "auth-unavailable",
      message: "the server does not offer AUTH",
      retryable: false,
    });
    const named = { auth: { ...PASSWORD, method: "CRAM-MD5" as const }, secure: true };
    expect(fieldsOf(setupFailure(named, ehloAuth("PLAIN LOGIN")))).toEqual({
      kind: "auth-unavailable",
      message: "no authentication mechanism both sides support",
      retryable: false,
    });
  });

  it("a 235 before the exchange is complete", () => {
    const options = { auth: { ...PASSWORD, method: "LOGIN" as const }, secure: true };
    const error = setupFailure(options, ehloAuth("LOGIN"), "334 VXNlcm5hbWU6\n", "235 whatever\n");
    expect(fieldsOf(error)).toEqual({
      kind: "auth",
      message: "the server ended AUTH before the exchange was complete",
      code: 235,
      response: "whatever",
      command: "AUTH LOGIN",
      retryable: false,
    });
  });

  it("504 to AUTH is auth-unavailable, 535 is auth; both name the mechanism", () => {
    const secure = { auth: PASSWORD, secure: true };
    expect(fieldsOf(setupFailure(secure, ehloAuth("PLAIN"), "504 5.5.4 unknown\n"))).toEqual({
      kind: "auth-unavailable",
      message: "the server refused authentication",
      code: 504,
      enhancedCode: "5.5.4",
      response: "unknown",
      command: "AUTH PLAIN",
      retryable: false,
    });
    expect(fieldsOf(setupFailure(secure, ehloAuth("PLAIN"), "535 5.7.8 bad\n"))).toEqual({
      kind: "auth",
      message: "the server refused authentication",
      code: 535,
      enhancedCode: "5.7.8",
      response: "bad",
      command: "AUTH PLAIN",
      retryable: false,
    });
  });

  it("after a cancelled exchange (*), the cancel's cause is reported, not the server's answer", () => {
    const options = { auth: { ...PASSWORD, method: "CRAM-MD5" as const }, secure: true };
    const error = setupFailure(
      options,
      ehloAuth("CRAM-MD5"),
      "334 !!!not base64!!!\n",
      "501 5.5.2 cancelled\n",
    );
    expect(fieldsOf(error)).toEqual({
      kind: "protocol",
      message: "invalid base64",
      detail: "bad-base64",
      retryable: false,
    });
  });

  it("a randomBytes that throws fails AUTH as kind auth, without its own error", () => {
    const error = setupFailure(
      {
        auth: PASSWORD,
        secure: true,
        randomBytes: () => {
          throw new RangeError("no entropy");
        },
      },
      ehloAuth("SCRAM-SHA-256"),
    );
    expect(fieldsOf(error)).toEqual({
      kind: "auth",
      message: "the SASL exchange failed",
      retryable: false,
    });
  });
});
