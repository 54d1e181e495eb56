import { describe, expect, it } from "vitest";
import { caught, fieldsOf } from "./errors.test-util.ts";
import { EHLO_PIPE, enc, Harness, ready } from "./session.test-util.ts";
import { Session } from "./session.ts";

// Inputs the driver gives at the wrong time or with nothing to do: each is either ignored
// (nothing written, no action, no change of deadline) or refused with an exact error.

/** A session told to QUIT while idle: QUIT written, awaiting its 221. */
function quitting(): Harness {
  const h = ready();
  h.session.quit(h.now);
  expect(h.client()).toBe("QUIT\r\n");
  expect(h.session.state).toBe("quitting");
  return h;
}

describe("Session inputs before connected()", () => {
  it("data before connected() closes with an exact protocol error, nothing written", () => {
    const h = new Harness();
    h.server("220 early\n");
    expect(h.client()).toBe("");
    expect(h.session.state).toBe("closed");
    expect(h.closedWith()).toEqual({
      reason: "error",
      error: {
        kind: "protocol",
        message: "data received before connected()",
        detail: "unexpected-reply",
        retryable: false,
      },
    });
  });

  it("an empty chunk before connected() is ignored", () => {
    const h = new Harness();
    h.session.receiveData(new Uint8Array(0), h.now);
    expect(h.drain()).toEqual([]);
    expect(h.session.state).toBe("connecting");
  });

  it("an empty first chunk is not the first bytes: a TLS record after it is still judged", () => {
    const h = new Harness().connect();
    h.session.receiveData(new Uint8Array(0), h.now);
    expect(h.drain()).toEqual([]);
    h.session.receiveData(new Uint8Array([0x16, 0x03, 0x01, 0x00, 0x0d, 0x0a]), h.now);
    expect(h.closeAction()?.error?.detail).toBe("tls-on-plaintext");
  });

  it("connected() a second time changes nothing: the greeting deadline is the first call's", () => {
    const h = new Harness({ timeouts: { greeting: 10 } }).connect();
    expect(h.session.pollTimeout()).toBe(1010);
    h.session.connected(1005);
    expect(h.session.pollTimeout()).toBe(1010);
    expect(h.session.state).toBe("greeting");
    expect(h.drain()).toEqual([]);
  });

  it("handleTimeout with no deadline does nothing, before connected() and while idle", () => {
    const early = new Harness();
    expect(early.session.pollTimeout()).toBeNull();
    early.session.handleTimeout(early.now + 1e9);
    expect(early.drain()).toEqual([]);
    expect(early.session.state).toBe("connecting");

    const idle = ready();
    expect(idle.session.pollTimeout()).toBeNull();
    idle.session.handleTimeout(idle.now + 1e9);
    expect(idle.drain()).toEqual([]);
    expect(idle.session.state).toBe("ready");
  });
});

describe("Session idle, noop and capabilities", () => {
  it("idle only when ready with nothing in flight; NOOP only then", () => {
    const h = new Harness();
    expect(h.session.idle).toBe(false);
    h.session.noop(h.now);
    expect(h.client()).toBe("");
    h.connect().server("220 mx.example ESMTP\n");
    expect(h.session.idle).toBe(false);
    h.client();
    h.server(EHLO_PIPE);
    expect(h.session.idle).toBe(true);
    h.session.noop(h.now);
    expect(h.client()).toBe("NOOP\r\n");
    expect(h.session.idle).toBe(false);
    h.session.noop(h.now);
    expect(h.client()).toBe("");
    h.server("250 ok\n");
    expect(h.session.idle).toBe(true);
    h.send();
    expect(h.session.idle).toBe(false);
  });

  it("capabilities are the last EHLO's, as the ready action carries them", () => {
    const h = new Harness().connect();
    expect(h.session.capabilities).toBeUndefined();
    h.server("220 mx.example ESMTP\n");
    h.server(EHLO_PIPE);
    const readyAction = h.drain().find((a) => a.type === "ready");
    expect(readyAction?.type === "ready" && readyAction.capabilities).toBe(h.session.capabilities);
    expect(h.session.capabilities).toMatchObject({
      pipelining: true,
      size: 1000,
      eightBitMime: true,
      enhancedStatusCodes: true,
      startTls: false,
      auth: [],
    });
  });

  it("a NOOP without an answer times out in the command phase, naming NOOP", () => {
    const h = ready({ timeouts: { command: 25 } });
    h.session.noop(h.now);
    h.client();
    expect(h.session.pollTimeout()).toBe(h.now + 25);
    h.session.handleTimeout(h.now + 25);
    expect(h.closedWith()).toEqual({
      reason: "timeout",
      error: {
        kind: "timeout",
        message: "no answer from the server in the command phase",
        phase: "command",
        command: "NOOP",
        retryable: true,
      },
    });
  });
});

describe("Session inputs out of sequence", () => {
  it("tokenRefreshed() without need-token: an exact caller error; ignored while quitting", () => {
    const h = ready();
    expect(fieldsOf(caught(() => h.session.tokenRefreshed("token", h.now)))).toEqual({
      kind: "invalid-input",
      message: "tokenRefreshed() without a need-token action",
      detail: "out-of-sequence",
      retryable: false,
    });
    const q = quitting();
    expect(() => q.session.tokenRefreshed("token", q.now)).not.toThrow();
    expect(q.client()).toBe("");
    expect(q.drain()).toEqual([]);
  });

  it("quit() while quitting or closed writes nothing more", () => {
    const h = quitting();
    h.session.quit(h.now);
    expect(h.client()).toBe("");
    expect(h.drain()).toEqual([]);
    h.server("221 bye\n");
    expect(h.drain()).toStrictEqual([{ type: "close", reason: "quit" }]);
    h.session.quit(h.now);
    expect(h.client()).toBe("");
    expect(h.drain()).toEqual([]);
    expect(h.session.state).toBe("closed");
  });
});

describe("Session end of stream and the transcript", () => {
  it("end of stream is recorded in the transcript", () => {
    const h = ready();
    h.session.receiveEof(h.now);
    expect(h.transcript.at(-1)).toEqual({ direction: "*", text: "end of stream" });
  });

  it("an error thrown by the transcript hook reaches the caller, not a protocol close", () => {
    const bug = new TypeError("hook failed");
    const session = new Session({
      ehloName: "client.example",
      servername: "mx.example",
      transcript: (entry) => {
        if (entry.direction === "S") throw bug;
      },
    });
    session.connected(0);
    let thrown: unknown;
    try {
      session.receiveData(enc.encode("220 mx.example ESMTP\r\n"), 0);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBe(bug);
    expect(session.pollAction()).toBeNull();
  });
});
