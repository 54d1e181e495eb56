import { describe, expect, it } from "vitest";
import { fieldsOf } from "./errors.test-util.ts";
import type { SmtpError } from "./errors.ts";
import { Harness } from "./session.test-util.ts";
import type { SessionOptions } from "./session-types.ts";

// A set-up command the server never answers: the timeout names the phase and the command.

/** Connects, feeds `server` one read at a time, then lets the deadline pass; returns the close error. */
function timedOut(options: Partial<SessionOptions>, ...server: string[]): SmtpError {
  const h = new Harness({ timeouts: { command: 7000 }, ...options }).connect();
  for (const text of server) {
    h.server(text);
    h.client();
  }
  h.drain();
  expect(h.session.pollTimeout()).toBe(h.now + 7000);
  h.session.handleTimeout(h.now + 7000);
  const close = h.closeAction();
  expect(close).toMatchObject({ type: "close", reason: "timeout" });
  return close!.error!;
}

const GREETING = "220 mx ESMTP\n";
const ehloAuth = (mechanisms: string) => `${GREETING}250-mx\n250 AUTH ${mechanisms}\n`;
const commandTimeout = (command: string) => ({
  kind: "timeout",
  message: "no answer from the server in the command phase",
  phase: "command",
  retryable: true,
  command,
});

describe("set-up timeouts: the command phase, the command named", () => {
  it("HELO after the EHLO fallback", () => {
    expect(fieldsOf(timedOut({}, GREETING, "502 no\n"))).toEqual(commandTimeout("HELO"));
  });

  it("AUTH with its initial response inline", () => {
    const error = timedOut({ auth: { user: "u", pass: "p" }, secure: true }, ehloAuth("PLAIN"));
    expect(fieldsOf(error)).toEqual(commandTimeout("AUTH PLAIN"));
  });

  it("AUTH without an initial response, and the answer to its challenge (named AUTH)", () => {
    const login = { auth: { user: "u", pass: "p", method: "LOGIN" as const }, secure: true };
    expect(fieldsOf(timedOut(login, ehloAuth("LOGIN")))).toEqual(commandTimeout("AUTH LOGIN"));
    const answered = timedOut(login, ehloAuth("LOGIN"), "334 VXNlcm5hbWU6\n");
    expect(fieldsOf(answered)).toEqual(commandTimeout("AUTH"));
  });

  it("the cancel (*) of an exchange the client cannot go on with", () => {
    const cram = { auth: { user: "u", pass: "p", method: "CRAM-MD5" as const }, secure: true };
    const error = timedOut(cram, ehloAuth("CRAM-MD5"), "334 !!!not base64!!!\n");
    expect(fieldsOf(error)).toEqual(commandTimeout("AUTH"));
  });
});

describe("the TLS handshake's wait", () => {
  it("after the 220 to STARTTLS: one upgrade-tls, then the tls phase", () => {
    const h = new Harness({ starttls: "required", timeouts: { command: 7000 } }).connect();
    h.server(`${GREETING}250-mx\n250 STARTTLS\n`);
    h.client();
    h.server("220 go ahead\n");
    expect(h.drain()).toEqual([{ type: "upgrade-tls", servername: "mx.example" }]);
    expect(h.session.pollTimeout()).toBe(h.now + 7000);
    h.session.handleTimeout(h.now + 7000);
    expect(h.drain()).toEqual([
      {
        type: "close",
        reason: "timeout",
        error: expect.objectContaining({
          kind: "timeout",
          phase: "tls",
          message: "no answer from the server in the tls phase",
        }),
      },
    ]);
  });
});
