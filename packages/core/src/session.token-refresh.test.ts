import { describe, expect, it } from "vitest";
import { SmtpError } from "./errors.ts";
import { Session } from "./session.ts";
import type { Action, SessionOptions, TranscriptEntry } from "./session-types.ts";

// The AUTH retry with a refreshed OAuth 2 token: `need-token`, `tokenRefreshed`.

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
const xoauth2 = (token: string) => b64(`user=u@example.com\x01auth=Bearer ${token}\x01\x01`);
const ERROR_JSON = b64('{"status":"401","schemes":"bearer"}');

/** A session over implicit TLS whose token can be refreshed, greeted and EHLO'd already. */
function authenticating(mechanisms = "XOAUTH2", options: Partial<SessionOptions> = {}) {
  const transcript: TranscriptEntry[] = [];
  const session = new Session({
    ehloName: "client.example",
    servername: "mx.example",
    secure: true,
    auth: { user: "u@example.com", accessToken: "old-token" },
    refreshableToken: true,
    transcript: (e) => transcript.push(e),
    ...options,
  });
  let now = 1000;
  const io = {
    session,
    transcript,
    at: (t: number) => {
      now = t;
    },
    server(text: string) {
      session.receiveData(new TextEncoder().encode(text.replace(/\n/g, "\r\n")), now);
    },
    client(): string {
      let out = "";
      for (let b = session.pollTransmit(); b !== null; b = session.pollTransmit())
        out += new TextDecoder().decode(b);
      return out;
    },
    actions(): Action[] {
      const out: Action[] = [];
      for (let a = session.pollAction(); a !== null; a = session.pollAction()) out.push(a);
      return out;
    },
  };
  session.connected(now);
  io.server(`220 mx.example ESMTP\n250-mx.example\n250-PIPELINING\n250 AUTH ${mechanisms}\n`);
  return io;
}

/** The close action of a session whose command-phase deadline passed. */
function commandTimeoutClose(message: string, fields: { command?: string } = {}) {
  return {
    type: "close",
    reason: "timeout",
    error: { kind: "timeout", phase: "command", message, ...fields },
  };
}

describe("a refused access token is refreshed once", () => {
  it("XOAUTH2: 334 error, 535, need-token, then AUTH again with the fresh token", () => {
    const s = authenticating();
    expect(s.client()).toBe(`EHLO client.example\r\nAUTH XOAUTH2 ${xoauth2("old-token")}\r\n`);
    const id = s.session.send({ from: "a@example.org", to: ["b@example.net"] }, 1000);
    s.server(`334 ${ERROR_JSON}\n`);
    expect(s.client()).toBe("\r\n");
    s.at(1500);
    s.server("535 5.7.8 Username and Password not accepted\n");
    // Nothing is written while the driver fetches a token; the wait has the command deadline.
    expect(s.client()).toBe("");
    expect(s.actions()).toEqual([{ type: "need-token" }]);
    expect(s.session.state).toBe("auth");
    expect(s.session.pollTimeout()).toBe(1500 + 300_000);
    s.session.tokenRefreshed("new-token", 2000);
    expect(s.client()).toBe(`AUTH XOAUTH2 ${xoauth2("new-token")}\r\n`);
    expect(s.session.pollTimeout()).toBe(2000 + 300_000);
    s.server("235 2.7.0 Accepted\n");
    expect(s.actions().map((a) => a.type)).toEqual(["ready"]);
    // The message queued meanwhile goes out now.
    expect(s.client()).toMatch(/^MAIL FROM:<a@example.org>/);
    expect(id).toBe(1);
    const log = JSON.stringify(s.transcript);
    expect(log).toContain("access token refused: asking for a fresh one");
    expect(log).not.toContain("new-token");
    expect(log).not.toContain(xoauth2("new-token").slice(8, 40));
  });

  it("OAUTHBEARER: the same after its 334 error and the \\x01 answer", () => {
    const s = authenticating("OAUTHBEARER");
    expect(s.client()).toMatch(/^EHLO client.example\r\nAUTH OAUTHBEARER \S+\r\n$/);
    s.server(`334 ${ERROR_JSON}\n`);
    expect(s.client()).toBe(`${b64("\x01")}\r\n`);
    s.server("535 5.7.8 Authentication credentials invalid\n");
    expect(s.actions()).toEqual([{ type: "need-token" }]);
    s.session.tokenRefreshed("fresh", 2000);
    expect(
      Buffer.from(s.client().replace(/^AUTH OAUTHBEARER /, ""), "base64").toString(),
    ).toContain("auth=Bearer fresh\x01");
  });

  it("a second refusal is kind auth, with no second need-token", () => {
    const s = authenticating();
    s.client();
    s.server("535 5.7.8 no\n");
    expect(s.actions()).toEqual([{ type: "need-token" }]);
    s.session.tokenRefreshed("new-token", 2000);
    s.client();
    s.server("535 5.7.8 still no\n");
    expect(s.client()).toBe("QUIT\r\n");
    s.server("221 bye\n");
    const actions = s.actions();
    expect(actions.map((a) => a.type)).toEqual(["close"]);
    expect(actions[0]).toMatchObject({
      error: { kind: "auth", code: 535, command: "AUTH XOAUTH2" },
    });
  });

  it("a failed refresh ends the session with its error, after QUIT", () => {
    const s = authenticating();
    s.client();
    const id = s.session.send({ from: "a@example.org", to: ["b@example.net"] }, 1000);
    s.server("535 5.7.8 no\n");
    s.actions();
    const failure = new SmtpError({ kind: "auth", message: "the access token provider failed" });
    s.session.tokenRefreshed(failure, 2000);
    expect(s.client()).toBe("QUIT\r\n");
    const result = s.actions().find((a) => a.type === "result");
    expect(result).toMatchObject({ id, result: { ok: false, error: failure } });
  });

  it("an unusable token (empty, CR/LF) is kind auth", () => {
    for (const token of ["", "a\r\nMAIL FROM:<x@y>", "a\0b"]) {
      const s = authenticating();
      s.client();
      s.server("535 5.7.8 no\n");
      s.actions();
      s.session.tokenRefreshed(token, 2000);
      expect(s.client()).toBe("QUIT\r\n");
      s.server("221 bye\n");
      expect(s.actions().at(-1)).toMatchObject({
        type: "close",
        error: {
          kind: "auth",
          message: "the refreshed access token is not usable",
          retryable: false,
        },
      });
    }
  });

  it("a token that is not a string at all (a JavaScript caller's undefined) is unusable too", () => {
    const s = authenticating();
    s.client();
    s.server("535 5.7.8 no\n");
    s.actions();
    s.session.tokenRefreshed(undefined as unknown as string, 2000);
    expect(s.client()).toBe("QUIT\r\n");
    expect(s.actions()).toEqual([]);
    s.server("221 bye\n");
    expect(s.actions()).toMatchObject([
      {
        type: "close",
        error: { kind: "auth", message: "the refreshed access token is not usable" },
      },
    ]);
  });

  it("the request for a token is a transcript event, and the wait ends with the fresh token", () => {
    const s = authenticating();
    s.client();
    s.server("535 5.7.8 no\n");
    expect(s.transcript.at(-1)).toEqual({
      direction: "*",
      text: "access token refused: asking for a fresh one",
    });
    s.actions();
    s.session.tokenRefreshed("new-token", 2000);
    expect(s.client()).toBe(`AUTH XOAUTH2 ${xoauth2("new-token")}\r\n`);
    // Only one answer per need-token.
    expect(() => s.session.tokenRefreshed("newer", 2000)).toThrow(/without a need-token action/);
    // The AUTH now awaits the server: a timeout is the server's, naming the command.
    s.session.handleTimeout(2000 + 300_000);
    expect(s.actions().at(-1)).toMatchObject(
      commandTimeoutClose("no answer from the server in the command phase", {
        command: "AUTH XOAUTH2",
      }),
    );
  });

  it("a long token's held response is forgotten when the server refuses AUTH before asking for it", () => {
    const s = authenticating("XOAUTH2", {
      auth: { user: "u@example.com", accessToken: "t".repeat(600) },
    });
    expect(s.client()).toBe("EHLO client.example\r\nAUTH XOAUTH2\r\n");
    s.server("535 5.7.8 no\n");
    expect(s.actions()).toEqual([{ type: "need-token" }]);
    s.session.tokenRefreshed("new-token", 2000);
    expect(s.client()).toBe(`AUTH XOAUTH2 ${xoauth2("new-token")}\r\n`);
    // The challenge is answered by the new exchange (the empty line after an error), not
    // with the first token's held initial response.
    s.server(`334 ${ERROR_JSON}\n`);
    expect(s.client()).toBe("\r\n");
  });

  it("no token within the command timeout is a timeout naming the token", () => {
    const s = authenticating();
    s.client();
    s.server("535 5.7.8 no\n");
    s.actions();
    const deadline = s.session.pollTimeout()!;
    s.session.handleTimeout(deadline - 1);
    expect(s.actions()).toEqual([]);
    s.session.handleTimeout(deadline);
    expect(s.actions().at(-1)).toMatchObject(
      commandTimeoutClose("no fresh access token within the command timeout"),
    );
    expect(s.session.pollTimeout()).toBeNull();
    // A late answer after the close is ignored.
    expect(() => s.session.tokenRefreshed("late", deadline + 1)).not.toThrow();
  });

  it("a transport failure while the token is awaited leaves no deadline", () => {
    const s = authenticating();
    s.client();
    s.server("535 5.7.8 no\n");
    expect(s.actions()).toEqual([{ type: "need-token" }]);
    const error = new SmtpError({ kind: "connection", message: "reset", detail: "ECONNRESET" });
    s.session.transportFailed(error, 1200);
    expect(s.actions()).toEqual([{ type: "close", reason: "error", error }]);
    expect(s.session.state).toBe("closed");
    expect(s.session.pollTimeout()).toBeNull();
    s.session.handleTimeout(1e9);
    expect(s.actions()).toEqual([]);
  });

  it("only for 535 to a token mechanism, and only when the token can be refreshed", () => {
    const temporary = authenticating();
    temporary.client();
    temporary.server("454 4.7.0 try later\n");
    expect(temporary.actions().map((a) => a.type)).toEqual([]);
    expect(temporary.client()).toBe("QUIT\r\n");

    const fixed = authenticating("XOAUTH2", { refreshableToken: false });
    fixed.client();
    fixed.server("535 5.7.8 no\n");
    expect(fixed.client()).toBe("QUIT\r\n");

    const password = authenticating("PLAIN", { auth: { user: "u", pass: "p" } });
    password.client();
    password.server("535 5.7.8 no\n");
    expect(password.client()).toBe("QUIT\r\n");
  });

  it("tokenRefreshed without need-token is a caller error", () => {
    const s = authenticating();
    expect(() => s.session.tokenRefreshed("x", 1000)).toThrow(/without a need-token action/);
  });
});
