import { describe, expect, it } from "vitest";
import { SmtpError } from "./errors.ts";
import { Harness, ready } from "./session.test-util.ts";

function failure(h: Harness, id: number): SmtpError {
  const r = h.result(id);
  if (r.ok) throw new Error("expected a failed result");
  return r.error;
}

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
    expect(h.closedWith()).toEqual({
      reason: "error",
      error: {
        kind: "connection",
        message: "the server is closing the connection (421)",
        code: 421,
        enhancedCode: "4.4.2",
        response: "idle timeout",
        retryable: true,
      },
    });
  });

  it("a 421 answering QUIT still ends the session cleanly", () => {
    const h = ready();
    h.session.quit(h.now);
    h.client();
    h.server("421 closing\n");
    // No `error` field at all, not one set to undefined.
    expect(h.closeAction()).toStrictEqual({ type: "close", reason: "quit" });
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

describe("Session TLS on a plaintext connection", () => {
  // A record, then CRLF so that anything not taken for TLS is a complete (bad) reply line.
  const record = (first: number, second: number) =>
    new Uint8Array([first, second, 0x03, 0x00, 0x02, 0x02, 0x46, 0x0d, 0x0a]);

  it.each([
    ["a TLS alert", 0x15, 0x03, "tls"],
    ["a TLS handshake", 0x16, 0x03, "tls"],
    ["another record type", 0x17, 0x03, "protocol"],
    ["TLS version 2", 0x16, 0x02, "protocol"],
  ] as const)("%s where the greeting should be", (_name, first, second, kind) => {
    const h = new Harness().connect();
    h.session.receiveData(record(first, second), h.now);
    expect(h.closeAction()).toMatchObject({ reason: "error", error: { kind } });
    if (kind === "tls") {
      expect(h.closedWith()?.error).toEqual({
        kind: "tls",
        message:
          "the server answered with TLS on a plaintext connection: it expects implicit TLS (secure: true, usually port 465)",
        detail: "tls-on-plaintext",
        retryable: false,
      });
    }
  });

  it("on an implicit-TLS connection the same bytes are a bad reply, not the hint", () => {
    const h = new Harness({ secure: true }).connect();
    h.session.receiveData(record(0x15, 0x03), h.now);
    expect(h.closeAction()).toMatchObject({ error: { kind: "protocol" } });
  });

  it("only the first bytes of the greeting are judged", () => {
    const h = new Harness().connect();
    h.server("220-mx.example\n");
    h.session.receiveData(record(0x16, 0x03), h.now);
    expect(h.closeAction()?.error?.detail).not.toBe("tls-on-plaintext");
  });
});
