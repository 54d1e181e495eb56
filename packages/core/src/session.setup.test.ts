import { describe, expect, it } from "vitest";
import { caught, fieldsOf } from "./errors.test-util.ts";
import type { SmtpError } from "./errors.ts";
import { Harness, ready } from "./session.test-util.ts";
import { Session } from "./session.ts";

function failure(h: Harness, id: number): SmtpError {
  const r = h.result(id);
  if (r.ok) throw new Error("expected a failed result");
  return r.error;
}

describe("Session STARTTLS and AUTH", () => {
  it("upgrades, forgets capabilities and says EHLO again, then AUTH PLAIN", () => {
    const h = new Harness({ starttls: "required", auth: { user: "u", pass: "p" } }).connect();
    h.server("220 mx ESMTP\n");
    h.client();
    h.server("250-mx\n250-AUTH PLAIN\n250 STARTTLS\n");
    expect(h.client()).toBe("STARTTLS\r\n");
    h.server("220 go ahead\n");
    expect(h.drain()).toEqual([{ type: "upgrade-tls", servername: "mx.example" }]);
    expect(h.session.state).toBe("tls-pending");
    h.session.tlsEstablished(h.now);
    expect(h.session.capabilities).toBeUndefined();
    expect(h.session.secure).toBe(true);
    expect(h.client()).toBe("EHLO client.example\r\n");
    h.server("250-mx\n250 AUTH LOGIN PLAIN\n");
    expect(h.client()).toBe("AUTH PLAIN AHUAcA==\r\n");
    h.server("235 ok\n");
    expect(h.drain().map((a) => a.type)).toEqual(["ready"]);
    expect(JSON.stringify(h.transcript)).not.toContain("AHUAcA");
  });

  it("R7 starttls-injection: bytes after the 220 end the session", () => {
    const h = new Harness({ starttls: "required" }).connect();
    h.server("220 mx\n");
    h.client();
    h.server("250-mx\n250 STARTTLS\n");
    h.client();
    h.server("220 go\n250-AUTH PLAIN\n");
    expect(h.client()).toBe("");
    expect(h.closedWith()).toEqual({
      reason: "error",
      error: {
        kind: "protocol",
        message: "the server sent data after 220 to STARTTLS before the TLS handshake",
        detail: "starttls-injection",
        command: "STARTTLS",
        retryable: false,
      },
    });
    expect(h.actions.some((a) => a.type === "upgrade-tls")).toBe(false);
  });

  it("AUTH LOGIN answers both challenges and reports a 535", () => {
    const h = new Harness({
      allowInsecureAuth: true,
      auth: { user: "tom", pass: "neron12" },
    }).connect();
    const id = h.send();
    h.server("220 mx\n");
    h.client();
    h.server("250-mx\n250 AUTH=LOGIN\n");
    expect(h.client()).toBe("AUTH LOGIN\r\n");
    h.server("334 VXNlcm5hbWU6\n");
    expect(h.client()).toBe("dG9t\r\n");
    h.server("334 UGFzc3dvcmQ6\n");
    expect(h.client()).toBe("bmVyb24xMg==\r\n");
    h.server("535 authorization failed (#5.7.0)\n");
    expect(h.client()).toBe("QUIT\r\n");
    const r = h.result(id);
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.error).toMatchObject({
        kind: "auth",
        code: 535,
        retryable: false,
        command: "AUTH LOGIN",
      });
    h.server("221 bye\n");
    expect(h.closeAction()).toMatchObject({ reason: "error", error: { kind: "auth" } });
    const text = JSON.stringify(h.transcript);
    expect(text).not.toContain("bmVyb24xMg");
    expect(text).not.toContain("neron12");
  });
});

describe("Session greeting", () => {
  it("takes a multi-line 220 split one byte at a time", () => {
    const h = new Harness().connect();
    for (const ch of "220-mx.example ESMTP\r\n220-second line\r\n220 last\r\n") h.serverRaw(ch);
    expect(h.client()).toBe("EHLO client.example\r\n");
    expect(h.session.state).toBe("ehlo");
  });

  it("a 554 greeting: QUIT, then close with a permanent error", () => {
    const h = new Harness().connect();
    const id = h.send();
    h.server("554 5.7.1 no service for you\n");
    expect(h.client()).toBe("QUIT\r\n");
    expect(failure(h, id)).toMatchObject({ kind: "rejected", code: 554, retryable: false });
    h.server("221 bye\n");
    expect(h.closeAction()).toMatchObject({ reason: "error", error: { code: 554 } });
  });

  it("a 421 greeting closes at once, retryable", () => {
    const h = new Harness().connect();
    h.server("421 4.3.2 busy\n");
    expect(h.client()).toBe("");
    expect(h.closeAction()).toMatchObject({
      reason: "error",
      error: { kind: "connection", retryable: true },
    });
    expect(h.session.state).toBe("closed");
  });

  it("the greeting deadline is asked for from connected()", () => {
    const h = new Harness({ timeouts: { greeting: 5000 } });
    expect(h.session.pollTimeout()).toBeNull();
    h.connect();
    expect(h.session.pollTimeout()).toBe(h.now + 5000);
  });
});

describe("Session EHLO", () => {
  it("falls back to HELO on 502", () => {
    const h = new Harness().connect();
    h.server("220 mx\n");
    h.client();
    h.server("502 5.5.1 unrecognised\n");
    expect(h.client()).toBe("HELO client.example\r\n");
    expect(h.session.state).toBe("helo");
    h.server("250 mx\n");
    expect(h.drain()).toMatchObject([
      { type: "ready", capabilities: { helo: true, pipelining: false } },
    ]);
  });

  it("refuses the HELO fallback when TLS or AUTH is required", () => {
    const tls = new Harness({ starttls: "required" }).connect();
    tls.server("220 mx\n500 what\n");
    expect(tls.client()).toBe("EHLO client.example\r\nQUIT\r\n");
    tls.server("221 bye\n");
    expect(tls.closeAction()?.error?.kind).toBe("tls-required");

    const auth = new Harness({ auth: { user: "u", pass: "p" }, allowInsecureAuth: true }).connect();
    auth.server("220 mx\n500 what\n");
    expect(auth.client()).toBe("EHLO client.example\r\nQUIT\r\n");
    auth.server("221 bye\n");
    expect(auth.closeAction()?.error?.kind).toBe("auth-unavailable");
  });

  it("a refused HELO ends the session", () => {
    const h = new Harness().connect();
    h.server("220 mx\n502 no\n");
    h.client();
    h.server("550 go away\n");
    expect(h.client()).toBe("QUIT\r\n");
    h.server("221 bye\n");
    expect(h.closeAction()?.error).toMatchObject({ kind: "rejected", command: "HELO" });
  });

  it("says LHLO in LMTP mode and never falls back to HELO", () => {
    const h = new Harness({ lmtp: true }).connect();
    h.server("220 lmtp\n");
    expect(h.client()).toBe("LHLO client.example\r\n");
    h.server("500 no\n");
    expect(h.client()).toBe("QUIT\r\n");
  });

  it("validates the EHLO name and timeouts in the constructor", () => {
    const badName = {
      kind: "invalid-input",
      message: "ehloName must be a domain or an address literal",
      detail: "bad-ehlo-name",
      retryable: false,
    };
    for (const ehloName of ["bad name\r\nMAIL", undefined, 42]) {
      const options = { ehloName: ehloName as string, servername: "x" };
      expect(fieldsOf(caught(() => new Session(options)))).toEqual(badName);
    }
    expect(
      () => new Session({ ehloName: "ok.example", servername: "x", timeouts: { command: -1 } }),
    ).toThrow(/timeouts/);
  });
});

describe("Session STARTTLS policy", () => {
  it("R8 required but not offered: tls-required before any AUTH or MAIL", () => {
    const h = new Harness({ starttls: "required", auth: { user: "u", pass: "p" } }).connect();
    const id = h.send();
    h.server("220 mx\n250-mx\n250-AUTH PLAIN\n250 PIPELINING\n");
    expect(h.client()).toBe("EHLO client.example\r\nQUIT\r\n");
    expect(failure(h, id).kind).toBe("tls-required");
  });

  it("R8 required and refused with 454: tls-required", () => {
    const h = new Harness({ starttls: "required" }).connect();
    h.server("220 mx\n250-mx\n250 STARTTLS\n");
    h.client();
    h.server("454 4.7.0 TLS not available\n");
    expect(h.client()).toBe("QUIT\r\n");
    h.server("221 bye\n");
    expect(h.closeAction()?.error).toMatchObject({
      kind: "tls-required",
      code: 454,
      command: "STARTTLS",
    });
  });

  it("opportunistic: goes on in plaintext when refused or not offered", () => {
    const refused = new Harness({ starttls: "opportunistic" }).connect();
    refused.server("220 mx\n250-mx\n250 STARTTLS\n");
    refused.client();
    refused.server("454 not now\n");
    expect(refused.drain().map((a) => a.type)).toEqual(["ready"]);
    expect(refused.session.secure).toBe(false);

    const absent = new Harness({ starttls: "opportunistic" }).connect();
    absent.server("220 mx\n250 mx\n");
    expect(absent.drain().map((a) => a.type)).toEqual(["ready"]);
  });

  it("never: ignores an offered STARTTLS", () => {
    const h = new Harness({ starttls: "never" }).connect();
    h.server("220 mx\n250-mx\n250 STARTTLS\n");
    expect(h.client()).toBe("EHLO client.example\r\n");
    expect(h.drain().map((a) => a.type)).toEqual(["ready"]);
  });

  it("R7 a byte arriving after the upgrade-tls action, before tlsEstablished, is injection", () => {
    const h = new Harness({ starttls: "required" }).connect();
    h.server("220 mx\n250-mx\n250 STARTTLS\n");
    h.client();
    h.server("220 go\n");
    expect(h.drain()).toEqual([{ type: "upgrade-tls", servername: "mx.example" }]);
    expect(h.session.pollTimeout()).not.toBeNull();
    h.serverRaw("2");
    expect(h.closeAction()?.error?.detail).toBe("starttls-injection");
    expect(() => h.session.tlsEstablished(h.now)).not.toThrow();
  });

  it("R7 a partial line after the 220 in the same read is injection", () => {
    const h = new Harness({ starttls: "required" }).connect();
    h.server("220 mx\n250-mx\n250 STARTTLS\n");
    h.client();
    h.serverRaw("220 go\r\n25");
    expect(h.closeAction()?.error?.detail).toBe("starttls-injection");
  });

  it("R7 after the upgrade only the capabilities advertised under TLS are used", () => {
    const h = new Harness({ starttls: "required", auth: { user: "u", pass: "p" } }).connect();
    h.server("220 mx\n250-mx\n250-AUTH PLAIN\n250 STARTTLS\n");
    h.client();
    h.server("220 go\n");
    h.drain();
    h.session.tlsEstablished(h.now);
    h.client();
    h.server("250-mx\n250 AUTH LOGIN\n");
    expect(h.client()).toBe("AUTH LOGIN\r\n");
  });

  it("tlsEstablished out of sequence is an exact caller error; ignored once closed", () => {
    const h = ready();
    expect(fieldsOf(caught(() => h.session.tlsEstablished(h.now)))).toEqual({
      kind: "invalid-input",
      message: "tlsEstablished() without an upgrade-tls action",
      detail: "out-of-sequence",
      retryable: false,
    });
    h.session.receiveEof(h.now);
    h.drain();
    expect(() => h.session.tlsEstablished(h.now)).not.toThrow();
  });
});

describe("Session AUTH", () => {
  const ehloAuth = (mechs: string): string => `220 mx\n250-mx\n250 AUTH ${mechs}\n`;

  it("a session given up with QUIT waits the quit deadline, then closes with its error", () => {
    const timeouts = { command: 30, quit: 70 };
    const h = new Harness({ auth: { user: "u", pass: "secret" }, timeouts }).connect();
    h.server("220 mx\n");
    h.client();
    h.now = 2000;
    h.server(ehloAuth("PLAIN").slice("220 mx\n".length));
    expect(h.client()).toBe("QUIT\r\n");
    expect(h.session.pollTimeout()).toBe(2070);
    h.session.handleTimeout(2069);
    expect(h.session.state).toBe("quitting");
    h.session.handleTimeout(2070);
    expect(h.closeAction()).toMatchObject({ reason: "error", error: { kind: "insecure-auth" } });
  });

  it("R8 refuses credentials without TLS unless loopback or opted in", () => {
    const h = new Harness({ auth: { user: "u", pass: "secret" } }).connect();
    h.server(ehloAuth("PLAIN"));
    expect(h.client()).toBe("EHLO client.example\r\nQUIT\r\n");
    h.server("221 bye\n");
    expect(h.closeAction()?.error?.kind).toBe("insecure-auth");

    const loop = new Harness({ auth: { user: "u", pass: "p" }, peerIsLoopback: true }).connect();
    loop.server(ehloAuth("PLAIN"));
    expect(loop.client()).toContain("AUTH PLAIN");

    const implicit = new Harness({ auth: { user: "u", pass: "p" }, secure: true }).connect();
    implicit.server(ehloAuth("PLAIN"));
    expect(implicit.client()).toContain("AUTH PLAIN");
  });

  it("auth-unavailable when AUTH is not offered or no mechanism matches", () => {
    const none = new Harness({ auth: { user: "u", pass: "p" }, secure: true }).connect();
    none.server("220 mx\n250 mx\n");
    expect(none.client()).toBe("EHLO client.example\r\nQUIT\r\n");
    none.server("221 bye\n");
    expect(none.closeAction()?.error).toMatchObject({ kind: "auth-unavailable" });

    const named = new Harness({
      auth: { user: "u", pass: "p", method: "CRAM-MD5" },
      secure: true,
    }).connect();
    named.server(ehloAuth("PLAIN LOGIN"));
    expect(named.client()).toBe("EHLO client.example\r\nQUIT\r\n");
  });

  it("tries a named mechanism when the server advertises no AUTH (seed example 3)", () => {
    const h = new Harness({
      auth: { user: "u", pass: "p", method: "LOGIN" },
      allowInsecureAuth: true,
    }).connect();
    h.server("220 mx\n250-mx\n250 STARTTLS\n");
    expect(h.client()).toBe("EHLO client.example\r\nAUTH LOGIN\r\n");
    h.server("530 5.7.0 Must issue a STARTTLS command first.\n");
    expect(h.client()).toBe("QUIT\r\n");
  });

  it("without TLS (loopback), CRAM-MD5 before PLAIN keeps the password off the wire (RFC 2195 example)", () => {
    const h = new Harness({
      auth: { user: "tim", pass: "tanstaaftanstaaf" },
      peerIsLoopback: true,
      starttls: "never",
    }).connect();
    h.server(ehloAuth("LOGIN PLAIN CRAM-MD5"));
    expect(h.client()).toBe("EHLO client.example\r\nAUTH CRAM-MD5\r\n");
    h.server("334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\n");
    expect(h.client()).toBe("dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n");
    h.server("235 ok\n");
    expect(h.drain().map((a) => a.type)).toEqual(["ready"]);
    expect(JSON.stringify(h.transcript)).not.toContain("dGltIGI5");
  });

  it("a challenge over several 334 lines is joined; blanks around it are ignored", () => {
    const options = {
      auth: { user: "tim", pass: "tanstaaftanstaaf", method: "CRAM-MD5" as const },
      secure: true,
    };
    const answer = "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n";
    const split = new Harness(options).connect();
    split.server(ehloAuth("CRAM-MD5"));
    split.client();
    split.server("334-PDE4OTYuNjk3MTcw\n334 OTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\n");
    expect(split.client()).toBe(answer);

    const padded = new Harness(options).connect();
    padded.server(ehloAuth("CRAM-MD5"));
    padded.client();
    padded.server("334  PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+ \t\n");
    expect(padded.client()).toBe(answer);
  });

  it("over TLS, PLAIN before CRAM-MD5: one round trip, the password already protected", () => {
    const h = new Harness({
      auth: { user: "tim", pass: "tanstaaftanstaaf" },
      secure: true,
    }).connect();
    h.server(ehloAuth("LOGIN PLAIN CRAM-MD5"));
    expect(h.client()).toBe("EHLO client.example\r\nAUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n");
    h.server("235 ok\n");
    expect(h.drain().map((a) => a.type)).toEqual(["ready"]);
  });

  it("XOAUTH2: answers the 334 error JSON with an empty line, then reports the 535", () => {
    const token = "ya29.secret-token";
    const h = new Harness({
      auth: { user: "u@example.com", accessToken: token },
      secure: true,
    }).connect();
    h.server(ehloAuth("XOAUTH2 PLAIN"));
    const first = h.client();
    expect(first).toMatch(/^EHLO client.example\r\nAUTH XOAUTH2 [A-Za-z0-9+/=]+\r\n$/);
    h.server("334 eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIn0=\n");
    expect(h.client()).toBe("\r\n");
    h.server("535 5.7.8 Username and Password not accepted\n");
    expect(h.client()).toBe("QUIT\r\n");
    h.server("221 bye\n");
    const error = h.closeAction()?.error;
    expect(error).toMatchObject({
      kind: "auth",
      code: 535,
      enhancedCode: "5.7.8",
      command: "AUTH XOAUTH2",
    });
    const all = JSON.stringify([h.transcript, error, error?.message]);
    expect(all).not.toContain(token);
    expect(all).not.toContain(first.slice(20, 40));
  });

  it("sends a long initial response in the two-step form", () => {
    const token = "t".repeat(600);
    const h = new Harness({
      auth: { user: "u@example.com", accessToken: token },
      secure: true,
    }).connect();
    h.server(ehloAuth("XOAUTH2"));
    expect(h.client()).toBe("EHLO client.example\r\nAUTH XOAUTH2\r\n");
    h.server("334 \n");
    const response = h.client();
    expect(response.length).toBeGreaterThan(800);
    expect(
      new TextDecoder().decode(Uint8Array.from(atob(response.trim()), (c) => c.charCodeAt(0))),
    ).toContain(token);
    h.server("235 ok\n");
    expect(h.drain().map((a) => a.type)).toEqual(["ready"]);
    expect(JSON.stringify(h.transcript)).not.toContain(response.trim().slice(0, 40));
  });

  it("454 is a retryable auth error, 504 auth-unavailable", () => {
    const temp = new Harness({ auth: { user: "u", pass: "p" }, secure: true }).connect();
    temp.server(ehloAuth("PLAIN"));
    temp.client();
    temp.server("454 4.7.0 temporary failure\n");
    temp.server("221 bye\n");
    expect(temp.closeAction()?.error).toMatchObject({ kind: "auth", retryable: true, code: 454 });

    const mech = new Harness({ auth: { user: "u", pass: "p" }, secure: true }).connect();
    mech.server(ehloAuth("PLAIN"));
    mech.client();
    mech.server("504 5.5.4 unrecognised mechanism\n");
    mech.server("221 bye\n");
    expect(mech.closeAction()?.error).toMatchObject({ kind: "auth-unavailable", retryable: false });
  });

  it("530 (STARTTLS first) maps to a permanent auth error", () => {
    const h = new Harness({ auth: { user: "u", pass: "p" }, allowInsecureAuth: true }).connect();
    h.server("220 mx\n250-mx\n250-AUTH LOGIN PLAIN\n250 STARTTLS\n");
    // starttls "never" in the harness: the client authenticates in cleartext and is refused.
    expect(h.client()).toBe("EHLO client.example\r\nAUTH PLAIN AHUAcA==\r\n");
    h.server("530 5.7.0 Must issue a STARTTLS command first.\n");
    expect(h.client()).toBe("QUIT\r\n");
    h.server("221 bye\n");
    expect(h.closeAction()?.error).toMatchObject({ kind: "auth", code: 530, retryable: false });
  });

  it("a 235 before the exchange is complete is an auth failure", () => {
    const h = new Harness({
      auth: { user: "u", pass: "p", method: "LOGIN" },
      secure: true,
    }).connect();
    h.server(ehloAuth("LOGIN"));
    h.client();
    h.server("334 VXNlcm5hbWU6\n");
    h.client();
    h.server("235 whatever\n");
    expect(h.client()).toBe("QUIT\r\n");
    h.server("221 bye\n");
    expect(h.closeAction()?.error?.kind).toBe("auth");
  });

  it("cancels with * on a challenge that is not base64, then QUITs", () => {
    const h = new Harness({
      auth: { user: "u", pass: "p", method: "CRAM-MD5" },
      secure: true,
    }).connect();
    h.server(ehloAuth("CRAM-MD5"));
    h.client();
    h.server("334 !!!not base64!!!\n");
    expect(h.client()).toBe("*\r\n");
    h.server("501 cancelled\n");
    expect(h.client()).toBe("QUIT\r\n");
    h.server("221 bye\n");
    expect(h.closeAction()?.reason).toBe("error");
  });

  it("refuses credentials a mechanism cannot carry", () => {
    const h = new Harness({
      auth: { user: "u", pass: "p\0q", method: "PLAIN" },
      secure: true,
    }).connect();
    h.server(ehloAuth("PLAIN"));
    expect(h.client()).toBe("EHLO client.example\r\nQUIT\r\n");
    h.server("221 bye\n");
    expect(h.closeAction()?.error?.kind).toBe("invalid-input");
  });

  it("R10 no secret reaches the transcript, for PLAIN, LOGIN, CRAM-MD5 and XOAUTH2", () => {
    const pass = "Sup3r-s3cret!";
    for (const method of ["PLAIN", "LOGIN", "CRAM-MD5"] as const) {
      const h = new Harness({ auth: { user: "someone", pass, method }, secure: true }).connect();
      h.server(ehloAuth(method));
      const wire: string[] = [h.client()];
      for (let i = 0; i < 3 && h.session.state === "auth"; i++) {
        h.server(
          i === 0 && method === "CRAM-MD5" ? "334 PDEyMzQ1QGV4YW1wbGU+\n" : "334 UGFzc3dvcmQ6\n",
        );
        wire.push(h.client());
      }
      h.server("535 5.7.8 no\n");
      const close = h.closeAction();
      const log = JSON.stringify([h.transcript, close, close?.error?.message]);
      expect(log).not.toContain(pass);
      for (const sent of wire.join("").split("\r\n")) {
        if (/^(EHLO|QUIT)/.test(sent)) continue;
        const payload = sent.replace(/^AUTH \S+ ?/, "");
        if (payload.length >= 4) expect(log, method).not.toContain(payload);
      }
      expect(log).toContain("<redacted>");
    }
  });
});
