import { describe, expect, it } from "vitest";
import { SmtpError } from "./errors.ts";
import { Harness, ready } from "./session.test-util.ts";
import { Session } from "./session.ts";

describe("Session happy path", () => {
  it("pipelines MAIL, RCPT and DATA in one write and delivers", () => {
    const h = ready();
    const id = h.send({ to: ["b@example.net", "c@example.net"], size: 10 });
    expect(h.client()).toBe(
      "MAIL FROM:<a@example.org> SIZE=10\r\nRCPT TO:<b@example.net>\r\nRCPT TO:<c@example.net>\r\nDATA\r\n",
    );
    h.server("250 2.1.0 ok\n250 2.1.5 ok\n550 5.1.1 no such user\n354 go\n");
    expect(h.drain()).toEqual([{ type: "need-body", id }]);
    h.body(id, "Subject: x\n\n.hi\nbye");
    expect(h.client()).toBe("Subject: x\r\n\r\n..hi\r\nbye\r\n.\r\n");
    h.server("250 2.0.0 queued\n");
    const result = h.result(id);
    expect(result).toMatchObject({
      ok: true,
      accepted: ["b@example.net"],
      rejected: [
        { address: "c@example.net", code: 550, enhancedCode: "5.1.1", message: "no such user" },
      ],
      reply: { code: 250, enhancedCode: "2.0.0" },
    });
    expect(h.session.idle).toBe(true);
    expect(h.session.pollTimeout()).toBeNull();
    h.session.quit(h.now);
    expect(h.client()).toBe("QUIT\r\n");
    h.server("221 bye\n");
    expect(h.closeAction()).toEqual({ type: "close", reason: "quit" });
  });

  it("without PIPELINING sends one command at a time", () => {
    const h = ready({}, "250-mx.example\n250 8BITMIME\n");
    const id = h.send({ to: ["b@example.net", "c@example.net"] });
    expect(h.client()).toBe("MAIL FROM:<a@example.org>\r\n");
    h.server("250 ok\n");
    expect(h.client()).toBe("RCPT TO:<b@example.net>\r\n");
    h.server("250 ok\n");
    expect(h.client()).toBe("RCPT TO:<c@example.net>\r\n");
    h.server("250 ok\n");
    expect(h.client()).toBe("DATA\r\n");
    h.server("354 go\n");
    h.body(id, "x");
    expect(h.client()).toBe("x\r\n.\r\n");
    h.server("250 ok\n");
    expect(h.result(id)).toMatchObject({ ok: true, accepted: ["b@example.net", "c@example.net"] });
  });

  it("puts the next envelope right after the end of data: one round trip per message", () => {
    const h = ready();
    const a = h.send();
    const b = h.send({ to: ["c@example.net"] });
    expect(h.client()).toBe("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n");
    h.server("250 ok\n250 ok\n354 go\n");
    h.drain();
    h.body(a, "one\r\n");
    // The outcome of the first is not known yet: the next envelope starts with RSET.
    expect(h.client()).toBe(
      "one\r\n.\r\nRSET\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<c@example.net>\r\nDATA\r\n",
    );
    h.server("250 done\n250 reset\n250 ok\n250 ok\n354 go\n");
    expect(h.result(a).ok).toBe(true);
    expect(h.actions.at(-1)).toEqual({ type: "need-body", id: b });
    h.body(b, "two");
    h.server("250 done\n");
    expect(h.result(b).ok).toBe(true);
  });
});

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
    const close = h.closeAction();
    expect(close?.error?.detail).toBe("starttls-injection");
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

describe("Session failures", () => {
  it("a 421 fails the job, retryable, and closes", () => {
    const h = ready();
    const id = h.send();
    h.client();
    h.server("421 4.3.2 shutting down\n");
    const r = h.result(id);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toBeInstanceOf(SmtpError);
      expect(r.error.retryable).toBe(true);
      expect(r.error.code).toBe(421);
    }
    expect(h.closeAction()?.reason).toBe("error");
  });
});

function failure(h: Harness, id: number): SmtpError {
  const r = h.result(id);
  if (r.ok) throw new Error("expected a failed result");
  return r.error;
}

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
    expect(() => new Session({ ehloName: "bad name\r\nMAIL", servername: "x" })).toThrow(SmtpError);
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

  it("tlsEstablished out of sequence is a caller error", () => {
    const h = ready();
    expect(() => h.session.tlsEstablished(h.now)).toThrow(/upgrade-tls/);
  });
});

describe("Session AUTH", () => {
  const ehloAuth = (mechs: string): string => `220 mx\n250-mx\n250 AUTH ${mechs}\n`;

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

  it("picks the strongest common mechanism: CRAM-MD5 (RFC 2195 example)", () => {
    const h = new Harness({
      auth: { user: "tim", pass: "tanstaaftanstaaf" },
      secure: true,
    }).connect();
    h.server(ehloAuth("LOGIN PLAIN CRAM-MD5"));
    expect(h.client()).toBe("EHLO client.example\r\nAUTH CRAM-MD5\r\n");
    h.server("334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\n");
    expect(h.client()).toBe("dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n");
    h.server("235 ok\n");
    expect(h.drain().map((a) => a.type)).toEqual(["ready"]);
    expect(JSON.stringify(h.transcript)).not.toContain("dGltIGI5");
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

const EHLO_FULL =
  "250-mx.example\n250-PIPELINING\n250-SIZE 1000\n250-8BITMIME\n250-SMTPUTF8\n250-DSN\n250 ENHANCEDSTATUSCODES\n";

describe("Session transactions", () => {
  it("SIZE pre-check: a message over the limit fails before MAIL", () => {
    const h = ready();
    const id = h.send({ size: 5000 });
    expect(h.client()).toBe("");
    expect(failure(h, id)).toMatchObject({ kind: "size", retryable: false });
    expect(h.session.idle).toBe(true);
  });

  it("BODY=8BITMIME, SMTPUTF8 and DSN parameters when offered", () => {
    const h = ready({}, EHLO_FULL);
    h.send({
      from: "ä@example.org",
      to: ["ö@example.net"],
      eightBit: true,
      smtpUtf8: true,
      size: 100,
      dsn: { ret: "HDRS", envid: "QQ314159", notify: ["FAILURE", "DELAY"], orcpt: true },
    });
    expect(h.client()).toBe(
      "MAIL FROM:<ä@example.org> SIZE=100 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=QQ314159\r\n" +
        "RCPT TO:<ö@example.net> NOTIFY=FAILURE,DELAY ORCPT=utf-8;ö@example.net\r\nDATA\r\n",
    );
  });

  it("leaves DSN parameters out when the server lacks DSN", () => {
    const h = ready({}, "250-mx\n250 PIPELINING\n");
    h.send({ size: 3, dsn: { ret: "FULL", notify: "NEVER" } });
    expect(h.client()).toBe("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n");
  });

  it("8-bit body, 8BITMIME not offered: the job fails before MAIL, the session stays usable", () => {
    const h = ready({}, "250-mx\n250 PIPELINING\n");
    const id = h.send({ eightBit: true });
    expect(h.client()).toBe("");
    expect(failure(h, id)).toMatchObject({ kind: "rejected", detail: "8bitmime-unsupported" });
    expect(h.result(id)).toMatchObject({ ok: false, dataSent: false });
    // A 7-bit message on the same session goes out.
    h.send();
    expect(h.client()).toBe("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n");
  });

  it("SMTPUTF8 asked but not offered: the job fails, nothing is sent", () => {
    const h = ready();
    const id = h.send({ from: "ä@example.org", smtpUtf8: true });
    expect(h.client()).toBe("");
    expect(failure(h, id)).toMatchObject({ kind: "rejected", detail: "smtputf8-unsupported" });
  });

  it("R3 send() refuses an option-like address before any byte", () => {
    const h = ready();
    expect(() => h.send({ from: "-Xoption@example.test" })).toThrow(SmtpError);
    expect(() => h.send({ to: ["-Xoption@example.test"] })).toThrow(SmtpError);
    expect(() => h.send({ to: [] })).toThrow(/recipient/);
    expect(() => h.send({ to: ["b@example.net\r\nRSET"] })).toThrow(SmtpError);
    expect(() => h.send({ size: -3 })).toThrow(SmtpError);
    expect(() => h.send({ dsn: { envid: "" } })).toThrow(SmtpError);
    expect(h.session.pollTransmit()).toBeNull();
  });

  it("every recipient refused (pipelined): DATA refused, RSET, an error listing them", () => {
    const h = ready();
    const id = h.send({ to: ["x@example.net", "y@example.net"] });
    h.client();
    h.server("250 ok\n550 5.1.1 unknown x\n551 5.1.6 moved y\n554 5.5.1 no valid recipients\n");
    expect(h.client()).toBe("RSET\r\n");
    const error = failure(h, id);
    expect(error).toMatchObject({ kind: "rejected", code: 550, command: "RCPT TO" });
    expect(error.rejected?.map((r) => [r.address, r.code, r.enhancedCode])).toEqual([
      ["x@example.net", 550, "5.1.1"],
      ["y@example.net", 551, "5.1.6"],
    ]);
    h.server("250 reset\n");
    expect(h.session.idle).toBe(true);
  });

  it("every recipient refused but the server answers 354: an empty data end, then RSET", () => {
    const h = ready();
    const id = h.send();
    h.client();
    h.server("250 ok\n550 no\n354 go\n");
    expect(h.client()).toBe(".\r\n");
    expect(h.drain().some((a) => a.type === "need-body")).toBe(false);
    h.server("554 no valid recipients\n");
    expect(h.client()).toBe("RSET\r\n");
    expect(failure(h, id).kind).toBe("rejected");
    expect(h.result(id)).toMatchObject({ ok: false, dataSent: false });
  });

  it("a refused sender (pipelined): the job fails, RSET, the session goes on", () => {
    const h = ready();
    const a = h.send();
    h.client();
    h.server("553 5.7.1 sender refused\n503 5.5.1 no sender\n503 5.5.1 no sender\n");
    expect(h.client()).toBe("RSET\r\n");
    expect(failure(h, a)).toMatchObject({ kind: "rejected", code: 553, command: "MAIL FROM" });
    h.server("250 ok\n");
    const b = h.send();
    expect(h.client()).toContain("MAIL FROM");
    h.server("250 ok\n250 ok\n354 go\n");
    h.body(b, "x");
    h.server("250 ok\n");
    expect(h.result(b).ok).toBe(true);
  });

  it("a refused sender without PIPELINING: no RCPT, RSET", () => {
    const h = ready({}, "250 mx\n");
    const id = h.send();
    h.client();
    h.server("550 no\n");
    expect(h.client()).toBe("RSET\r\n");
    expect(failure(h, id).command).toBe("MAIL FROM");
  });

  it("requireAllRecipients: waits for the RCPT replies, then RSET when one is refused", () => {
    const h = ready();
    const id = h.send({ to: ["b@example.net", "c@example.net"], requireAllRecipients: true });
    expect(h.client()).toBe(
      "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nRCPT TO:<c@example.net>\r\n",
    );
    h.server("250 ok\n250 ok\n550 no\n");
    expect(h.client()).toBe("RSET\r\n");
    const r = h.result(id);
    expect(r).toMatchObject({ ok: false, rejected: [{ address: "c@example.net", code: 550 }] });
  });

  it("requireAllRecipients: DATA after the replies when all are accepted", () => {
    const h = ready();
    h.send({ requireAllRecipients: true });
    h.client();
    h.server("250 ok\n250 ok\n");
    expect(h.client()).toBe("DATA\r\n");
  });

  it("DATA refused after accepted recipients: RSET and the DATA reply in the error", () => {
    const h = ready();
    const id = h.send();
    h.client();
    h.server("250 ok\n250 ok\n451 4.3.0 try later\n");
    expect(h.client()).toBe("RSET\r\n");
    expect(failure(h, id)).toMatchObject({ command: "DATA", code: 451, retryable: true });
  });

  it("the final reply refuses the data: no RSET, dataSent", () => {
    const h = ready();
    const id = h.send();
    h.client();
    h.server("250 ok\n250 ok\n354 go\n");
    h.body(id, "hello");
    h.client();
    h.server("552 5.3.4 too big\n");
    expect(h.client()).toBe("");
    const r = h.result(id);
    expect(r).toMatchObject({ ok: false, dataSent: true, error: { code: 552, command: "DATA" } });
  });

  it("452 too many recipients (pipelined): the rest go in a further transaction, body asked again", () => {
    const h = ready();
    const id = h.send({ to: ["r1@x.example", "r2@x.example", "r3@x.example"] });
    h.client();
    h.server(
      "250 ok\n250 ok\n452 4.5.3 too many recipients\n452 4.5.3 too many recipients\n354 go\n",
    );
    expect(h.drain()).toEqual([{ type: "need-body", id }]);
    h.body(id, "body");
    expect(h.client()).toBe("body\r\n.\r\n");
    h.server("250 first part\n");
    expect(h.client()).toBe(
      "MAIL FROM:<a@example.org>\r\nRCPT TO:<r2@x.example>\r\nRCPT TO:<r3@x.example>\r\nDATA\r\n",
    );
    h.server("250 ok\n250 ok\n550 no r3\n354 go\n");
    expect(h.drain()).toEqual([{ type: "need-body", id }]);
    h.body(id, "body");
    h.server("250 second part\n");
    expect(h.result(id)).toMatchObject({
      ok: true,
      accepted: ["r1@x.example", "r2@x.example"],
      rejected: [{ address: "r3@x.example", code: 550 }],
      reply: { lines: ["first part"] },
    });
  });

  it("452 too many recipients without PIPELINING: stops sending RCPT at the limit", () => {
    const h = ready({}, "250 mx\n");
    const id = h.send({ to: ["r1@x.example", "r2@x.example", "r3@x.example"] });
    h.server("250 ok\n");
    h.client();
    h.server("250 ok\n");
    expect(h.client()).toBe("RCPT TO:<r2@x.example>\r\n");
    h.server("452 4.5.3 too many recipients\n");
    expect(h.client()).toBe("DATA\r\n");
    h.server("354 go\n");
    h.body(id, "b");
    h.client();
    h.server("250 ok\n");
    expect(h.client()).toBe("MAIL FROM:<a@example.org>\r\n");
    h.server("250 ok\n");
    expect(h.client()).toBe("RCPT TO:<r2@x.example>\r\n");
    h.server("250 ok\n");
    expect(h.client()).toBe("RCPT TO:<r3@x.example>\r\n");
    h.server("250 ok\n");
    h.server("354 go\n");
    h.body(id, "b");
    h.server("250 ok\n");
    expect(h.result(id)).toMatchObject({
      ok: true,
      accepted: ["r1@x.example", "r2@x.example", "r3@x.example"],
    });
  });

  it("a second part that fails at the end keeps the first part's success", () => {
    const h = ready();
    const id = h.send({ to: ["r1@x.example", "r2@x.example"] });
    h.client();
    h.server("250 ok\n250 ok\n452 4.5.3 too many recipients\n354 go\n");
    h.body(id, "b");
    h.server("250 ok\n");
    h.client();
    h.server("250 ok\n250 ok\n354 go\n");
    h.body(id, "b");
    h.server("554 5.6.0 rejected\n");
    expect(h.result(id)).toMatchObject({
      ok: true,
      accepted: ["r1@x.example"],
      rejected: [{ address: "r2@x.example", code: 554 }],
    });
  });

  it("a second part refused before the data still reports the first part and lists the rest", () => {
    const h = ready();
    const id = h.send({ to: ["r1@x.example", "r2@x.example", "r3@x.example"] });
    h.client();
    h.server(
      "250 ok\n250 ok\n452 4.5.3 too many recipients\n452 4.5.3 too many recipients\n354 go\n",
    );
    h.body(id, "b");
    h.server("250 ok\n");
    h.client();
    h.server("451 4.3.0 sender deferred\n503 no\n503 no\n503 no\n");
    expect(h.client()).toBe("RSET\r\n");
    expect(h.result(id)).toMatchObject({
      ok: true,
      accepted: ["r1@x.example"],
      rejected: [
        { address: "r2@x.example", code: 451, enhancedCode: "4.3.0", message: "sender deferred" },
        { address: "r3@x.example", code: 451 },
      ],
    });
  });

  it("bodyChunk for a job without need-body is a caller error", () => {
    const h = ready();
    expect(() => h.session.bodyChunk(7, new Uint8Array(1), h.now)).toThrow(/need-body/);
  });

  it("send after close fails at once; quit before connecting closes", () => {
    const h = new Harness();
    h.session.quit(h.now);
    expect(h.closeAction()).toEqual({ type: "close", reason: "quit" });
    const id = h.send();
    expect(failure(h, id).kind).toBe("connection");
  });

  it("QUIT waits for the queue, NOOP only when idle", () => {
    const h = ready();
    const id = h.send();
    h.session.quit(h.now);
    h.session.noop(h.now);
    expect(h.client()).toBe("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n");
    h.server("250 ok\n250 ok\n354 go\n");
    h.body(id, "x");
    h.client();
    h.server("250 ok\n");
    expect(h.client()).toBe("QUIT\r\n");
    expect(h.session.state).toBe("quitting");
    h.session.quit(h.now);
    h.receiveEofCheck();
  });

  it("NOOP when idle, its deadline is the command timeout", () => {
    const h = ready({ timeouts: { command: 1234 } });
    h.session.noop(h.now);
    expect(h.client()).toBe("NOOP\r\n");
    expect(h.session.pollTimeout()).toBe(h.now + 1234);
    h.server("250 ok\n");
    expect(h.session.pollTimeout()).toBeNull();
  });
});

describe("Session LMTP and BDAT", () => {
  it("LMTP: one reply per accepted recipient after the data", () => {
    const h = new Harness({ lmtp: true }).connect();
    h.server("220 lmtp\n");
    expect(h.client()).toBe("LHLO client.example\r\n");
    h.server("250-lmtp\n250 PIPELINING\n");
    h.drain();
    const id = h.send({ to: ["r1@x.example", "r2@x.example", "r3@x.example"] });
    h.client();
    h.server("250 ok\n250 ok\n550 unknown\n250 ok\n354 go\n");
    h.body(id, "b");
    h.client();
    h.server("250 2.0.0 r1 delivered\n");
    expect(h.drain().some((a) => a.type === "result")).toBe(false);
    h.server("452 4.2.2 r3 over quota\n");
    expect(h.result(id)).toMatchObject({
      ok: true,
      accepted: ["r1@x.example"],
      rejected: [
        { address: "r2@x.example", code: 550 },
        { address: "r3@x.example", code: 452, enhancedCode: "4.2.2" },
      ],
      reply: { code: 250 },
    });
    expect(h.session.idle).toBe(true);
  });

  it("LMTP: every final reply negative fails the job", () => {
    const h = new Harness({ lmtp: true }).connect();
    h.server("220 lmtp\n250 lmtp\n");
    h.drain();
    const id = h.send();
    h.server("250 ok\n");
    h.server("250 ok\n");
    h.server("354 go\n");
    h.body(id, "b");
    h.server("550 5.2.1 mailbox disabled\n");
    expect(failure(h, id)).toMatchObject({ kind: "rejected", rejected: [{ code: 550 }] });
  });

  const CHUNKING = "250-mx\n250-PIPELINING\n250-CHUNKING\n250 BINARYMIME\n";

  it("BDAT: body chunks framed with exact sizes, asked for right after the envelope", () => {
    const h = ready({}, CHUNKING);
    const id = h.send();
    expect(h.client()).toBe("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\n");
    expect(h.drain()).toEqual([{ type: "need-body", id }]);
    expect(h.session.state).toBe("data");
    h.session.bodyChunk(id, new TextEncoder().encode("a\n.b"), h.now);
    // Held: the body may still fit one chunk.
    expect(h.client()).toBe("");
    h.session.bodyEnd(id, h.now);
    expect(h.client()).toBe("BDAT 7 LAST\r\na\r\n.b\r\n");
    h.server("250 ok\n250 ok\n250 done\n");
    expect(h.result(id)).toMatchObject({ ok: true, reply: { lines: ["done"] } });
  });

  it("BDAT: a binary message is sent with BODY=BINARYMIME", () => {
    const h = ready({}, CHUNKING);
    h.send({ binary: true });
    expect(h.client()).toBe(
      "MAIL FROM:<a@example.org> BODY=BINARYMIME\r\nRCPT TO:<b@example.net>\r\n",
    );
  });

  it("BDAT: every recipient refused fails the job after the LAST reply, then RSET", () => {
    const h = ready({}, CHUNKING);
    const id = h.send();
    h.client();
    h.drain();
    h.body(id, "x");
    h.client();
    h.server("250 ok\n550 no\n554 no valid recipients\n");
    expect(h.client()).toBe("RSET\r\n");
    expect(failure(h, id)).toMatchObject({ kind: "rejected", command: "RCPT TO" });
  });

  it("BDAT: a refused chunk fails the job", () => {
    const h = ready({}, CHUNKING);
    const id = h.send();
    h.client();
    h.drain();
    h.body(id, "x");
    h.server("250 ok\n250 ok\n552 too big\n");
    expect(failure(h, id)).toMatchObject({ code: 552, command: "BDAT" });
  });

  it("chunking: false keeps DATA; binary without BINARYMIME fails before MAIL", () => {
    const h = ready({ chunking: false }, CHUNKING);
    h.send();
    expect(h.client()).toContain("DATA\r\n");
    const plain = ready();
    const id = plain.send({ binary: true });
    expect(plain.client()).toBe("");
    expect(failure(plain, id).detail).toBe("binarymime-unsupported");
  });

  it("CHUNKING without PIPELINING: DATA, one command at a time; binary fails before MAIL", () => {
    const h = ready({}, "250-mx\n250-CHUNKING\n250 BINARYMIME\n");
    const binary = h.send({ binary: true });
    expect(h.client()).toBe("");
    expect(failure(h, binary)).toMatchObject({
      kind: "rejected",
      detail: "binarymime-unsupported",
    });
    const id = h.send();
    expect(h.client()).toBe("MAIL FROM:<a@example.org>\r\n");
    h.server("250 ok\n");
    expect(h.client()).toBe("RCPT TO:<b@example.net>\r\n");
    h.server("250 ok\n");
    expect(h.client()).toBe("DATA\r\n");
    h.server("354 go\n");
    expect(h.drain()).toEqual([{ type: "need-body", id }]);
    h.body(id, "x\n");
    expect(h.client()).toBe("x\r\n.\r\n");
    h.server("250 queued\n");
    expect(h.result(id)).toMatchObject({ ok: true });
  });
});

describe("Session protocol errors, timeouts and end of stream", () => {
  it("R9 a reply ahead of any command is a protocol error", () => {
    const h = ready();
    h.server("250 surprise\n");
    expect(h.closeAction()?.error).toMatchObject({ kind: "protocol", detail: "unexpected-reply" });
    expect(h.client()).toBe("");
  });

  it("R9 one reply too many in a pipelined batch: protocol error, nothing more sent", () => {
    const h = ready();
    const id = h.send();
    h.client();
    h.server("250 ok\n250 ok\n354 go\n250 extra\n");
    expect(failure(h, id).detail).toBe("unexpected-reply");
    h.session.bodyChunk(id, new Uint8Array([65]), h.now);
    h.session.bodyEnd(id, h.now);
    expect(h.client()).toBe("");
  });

  it("R9 inconsistent codes and R12 overlong lines close the session", () => {
    const h = ready();
    h.session.noop(h.now);
    h.server("250-a\n251 b\n");
    expect(h.closeAction()?.error?.detail).toBe("inconsistent-code");
    const long = ready({ limits: { maxLineLength: 50 } });
    long.session.noop(long.now);
    long.serverRaw("250 ".padEnd(200, "x"));
    expect(long.closeAction()?.error?.detail).toBe("line-too-long");
  });

  it("R9 a reply code no command of its kind can get is a protocol error", () => {
    const data = ready();
    const id = data.send();
    data.client();
    data.server("250 ok\n250 ok\n234 go ahead\n");
    expect(data.client()).toBe("");
    expect(failure(data, id)).toMatchObject({ kind: "protocol", code: 234, command: "DATA" });
    const mail = ready();
    mail.send();
    mail.server("354 what\n");
    expect(mail.closeAction()?.error).toMatchObject({
      detail: "unexpected-reply",
      command: "MAIL FROM",
    });
    const greeting = new Harness().connect();
    greeting.server("334 hi\n");
    expect(greeting.closeAction()?.error?.detail).toBe("unexpected-reply");
  });

  it("data before connected() is a protocol error", () => {
    const h = new Harness();
    h.server("220 early\n");
    expect(h.closeAction()?.error?.kind).toBe("protocol");
  });

  it("R11 a deadline per phase, configurable, raised as a timeout naming the phase", () => {
    const timeouts = {
      greeting: 10,
      command: 20,
      dataStart: 30,
      dataBlock: 40,
      dataEnd: 50,
      quit: 60,
    };
    const expectTimeout = (h: Harness, phase: string, after: number, id?: number): void => {
      const deadline = h.session.pollTimeout();
      expect(deadline).toBe(h.now + after);
      h.session.handleTimeout(deadline! - 1);
      expect(h.session.state).not.toBe("closed");
      h.session.handleTimeout(deadline!);
      const close = h.closeAction();
      expect(close).toMatchObject({
        reason: "timeout",
        error: { kind: "timeout", phase, retryable: true },
      });
      if (id !== undefined) expect(failure(h, id).phase).toBe(phase);
    };
    const greeting = new Harness({ timeouts }).connect();
    expectTimeout(greeting, "greeting", 10);

    const command = new Harness({ timeouts }).connect();
    command.server("220 mx\n");
    expectTimeout(command, "command", 20);

    const dataStart = ready({ timeouts }, "250 mx\n");
    const a = dataStart.send();
    dataStart.server("250 ok\n250 ok\n");
    expect(dataStart.client()).toContain("DATA");
    expectTimeout(dataStart, "data-start", 30, a);

    const dataBlock = ready({ timeouts });
    const b = dataBlock.send();
    dataBlock.server("250 ok\n250 ok\n354 go\n");
    expectTimeout(dataBlock, "data-block", 40, b);

    const dataEnd = ready({ timeouts });
    const c = dataEnd.send();
    dataEnd.server("250 ok\n250 ok\n354 go\n");
    dataEnd.body(c, "x");
    expectTimeout(dataEnd, "data-end", 50, c);
  });

  it("R11 the QUIT deadline closes the session cleanly", () => {
    const h = ready({ timeouts: { quit: 70 } });
    h.session.quit(h.now);
    expect(h.client()).toBe("QUIT\r\n");
    expect(h.session.pollTimeout()).toBe(h.now + 70);
    h.session.handleTimeout(h.now + 70);
    expect(h.closeAction()).toEqual({ type: "close", reason: "quit" });
    expect(h.session.pollTimeout()).toBeNull();
  });

  it("the body deadline moves with each chunk", () => {
    const h = ready({ timeouts: { dataBlock: 100 } });
    const id = h.send();
    h.server("250 ok\n250 ok\n354 go\n");
    h.now += 60;
    h.session.bodyChunk(id, new Uint8Array([65]), h.now);
    expect(h.session.pollTimeout()).toBe(h.now + 100);
  });

  it("end of stream fails open jobs, retryable, and closes with reason eof", () => {
    const h = ready();
    const id = h.send();
    h.session.receiveEof(h.now);
    expect(failure(h, id)).toMatchObject({ kind: "connection", detail: "eof", retryable: true });
    expect(h.closeAction()?.reason).toBe("eof");
    h.session.receiveEof(h.now);
    h.server("250 late\n");
    expect(h.actions.filter((a) => a.type === "close")).toHaveLength(1);
  });

  it("transportFailed fails the jobs with the caller's error", () => {
    const h = ready();
    const id = h.send();
    const error = new SmtpError({ kind: "aborted", message: "aborted by the caller" });
    h.session.transportFailed(error, h.now);
    expect(failure(h, id)).toBe(error);
    expect(h.closeAction()).toEqual({ type: "close", reason: "error", error });
    h.session.transportFailed(error, h.now);
    h.session.handleTimeout(h.now + 1e9);
    h.session.noop(h.now);
    expect(h.drain()).toEqual([]);
  });

  it("an unsolicited 421 while idle closes the session, retryable", () => {
    const h = ready();
    h.server("421 4.4.2 idle timeout\n");
    expect(h.client()).toBe("");
    expect(h.closeAction()).toMatchObject({
      reason: "error",
      error: { kind: "connection", code: 421, retryable: true },
    });
  });

  it("a 421 answering QUIT still ends the session cleanly", () => {
    const h = ready();
    h.session.quit(h.now);
    h.client();
    h.server("421 closing\n");
    expect(h.closeAction()).toEqual({ type: "close", reason: "quit" });
  });

  it("a 421 at the data end fails the job and closes without QUIT", () => {
    const h = ready();
    const id = h.send();
    h.server("250 ok\n250 ok\n354 go\n");
    h.body(id, "x");
    h.client();
    h.server("421 4.4.2 timeout\n");
    expect(h.client()).toBe("");
    expect(failure(h, id)).toMatchObject({
      kind: "connection",
      code: 421,
      command: "DATA",
      retryable: true,
    });
  });
});
