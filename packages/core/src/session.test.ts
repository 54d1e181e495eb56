import { describe, expect, it } from "vitest";
import { SmtpError } from "./errors.ts";
import { Session } from "./session.ts";
import type { Action, SendJob, SessionOptions, TranscriptEntry } from "./session-types.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Drives a Session by hand: server text in, client text and actions out. */
class Harness {
  readonly session: Session;
  readonly transcript: TranscriptEntry[] = [];
  readonly actions: Action[] = [];
  now = 1000;
  constructor(options: Partial<SessionOptions> = {}) {
    this.session = new Session({
      ehloName: "client.example",
      servername: "mx.example",
      starttls: "never",
      transcript: (e) => this.transcript.push(e),
      ...options,
    });
  }
  connect(): this {
    this.session.connected(this.now);
    return this;
  }
  /** Feeds server text (CRLF written as \n in the argument is converted). */
  server(text: string): this {
    this.session.receiveData(enc.encode(text.replace(/\r?\n/g, "\r\n")), this.now);
    return this;
  }
  serverRaw(bytes: string): this {
    this.session.receiveData(enc.encode(bytes), this.now);
    return this;
  }
  /** Everything the client wrote since the last call. */
  client(): string {
    let text = "";
    for (let b = this.session.pollTransmit(); b !== null; b = this.session.pollTransmit())
      text += dec.decode(b);
    return text;
  }
  drain(): Action[] {
    const got: Action[] = [];
    for (let a = this.session.pollAction(); a !== null; a = this.session.pollAction()) got.push(a);
    this.actions.push(...got);
    return got;
  }
  send(job: Partial<SendJob> = {}): number {
    return this.session.send({ from: "a@example.org", to: ["b@example.net"], ...job }, this.now);
  }
  body(id: number, text: string): this {
    this.session.bodyChunk(id, enc.encode(text), this.now);
    this.session.bodyEnd(id, this.now);
    return this;
  }
  result(id: number) {
    this.drain();
    const found = this.actions.find((a) => a.type === "result" && a.id === id);
    if (found?.type !== "result") throw new Error(`no result for ${id}`);
    return found.result;
  }
  closeAction() {
    this.drain();
    return this.actions.find((a) => a.type === "close");
  }
}

const EHLO_PIPE =
  "250-mx.example\n250-PIPELINING\n250-SIZE 1000\n250-8BITMIME\n250 ENHANCEDSTATUSCODES\n";

function ready(options: Partial<SessionOptions> = {}, ehlo = EHLO_PIPE): Harness {
  const h = new Harness(options).connect();
  h.server("220 mx.example ESMTP\n");
  expect(h.client()).toBe("EHLO client.example\r\n");
  h.server(ehlo);
  expect(h.drain().map((a) => a.type)).toEqual(["ready"]);
  return h;
}

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
    expect(h.client()).toBe(
      "one\r\n.\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<c@example.net>\r\nDATA\r\n",
    );
    h.server("250 done\n250 ok\n250 ok\n354 go\n");
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
