import { type Action, Session, type SessionOptions } from "@smtp/core";
import type { Message, StreamOptions } from "@smtp/mime";
import { describe, expect, it } from "vitest";
import { failedResult } from "../src/result.ts";
import { openConnection, queuedSend } from "./connection-harness.ts";
import { FakeSession, FakeTransport } from "./fakes.ts";

const enc = new TextEncoder();

/** The toy server of {@link FakeSession}: ready at once, then `end` answers each end of data. */
function toy(end: string | null) {
  return (line: string): string | null | undefined => {
    if (line === "HELLO") return "ready";
    if (line.startsWith("MAIL")) return "go";
    if (line === ".") return end;
    if (line === "QUIT") return "bye";
    return undefined;
  };
}

/** A loopback SMTP server over a {@link FakeTransport}, for the real session. */
function smtpConnector(answers: Record<string, string>) {
  return async () => {
    const transport = new FakeTransport((line) => {
      const verb = line.split(" ")[0]!.toUpperCase();
      return answers[verb];
    });
    transport.push(enc.encode("220 mx.example.test ESMTP\r\n"));
    return transport;
  };
}

const realSession = (options: SessionOptions) => new Session(options);

/** A session that reports results of its own, or passes `map` over the fake's actions. */
function sessionWith(map: (action: Action | null, session: FakeSession) => Action | null) {
  return () => {
    const session = new FakeSession();
    const poll = session.pollAction.bind(session);
    session.pollAction = () => map(poll(), session);
    return session;
  };
}

describe("Connection: taking no more messages once the session ends", () => {
  it("not once the session has closed, even before the driver has acted on its close", async () => {
    const seen: unknown[] = [];
    const h = openConnection({
      respond: toy(null), // the server goes away at the end of data
      onResult: (c) => seen.push({ open: c.open, state: c.state }),
    });
    await h.ready;
    h.connection.submit(queuedSend());
    await h.connection.closed;
    expect(seen).toEqual([{ open: false, state: "ready" }]);
  });

  it("not once the session is quitting after a setup failure (AUTH refused)", async () => {
    const seen: unknown[] = [];
    const h = openConnection({
      options: { host: "127.0.0.1", auth: { user: "u", pass: "p" } },
      connector: smtpConnector({
        EHLO: "250-mx.example.test\r\n250 AUTH PLAIN\r\n",
        AUTH: "535 5.7.8 authentication failed\r\n",
        QUIT: "221 bye\r\n",
      }),
      sessionFactory: realSession,
      onResult: (c) => seen.push({ open: c.open, session: h.sessions[0]!.state }),
    });
    h.connection.submit(queuedSend());
    const info = await h.connection.closed;
    expect(info.error).toMatchObject({ kind: "auth" });
    expect(seen).toEqual([{ open: false, session: "quitting" }]);
  });
});

describe("Connection: a session that refuses or mishandles a message", () => {
  it("a message the session refuses to take fails at once, unsent, and the connection goes on", async () => {
    const h = openConnection({
      options: { host: "127.0.0.1" },
      connector: smtpConnector({
        EHLO: "250-mx.example.test\r\n250 PIPELINING\r\n",
        QUIT: "221 bye\r\n",
      }),
      sessionFactory: realSession,
    });
    await h.ready;
    const bad = queuedSend({ job: { to: [] } });
    h.connection.submit(bad);
    expect(h.results).toHaveLength(1);
    const [send, result] = h.results[0]!;
    expect(send).toBe(bad);
    const error = result.ok ? undefined : result.error;
    expect(error).toMatchObject({
      kind: "invalid-input",
      message: "a message needs at least one recipient",
    });
    expect(result).toEqual(failedResult(error!, false));
    expect([h.connection.load, h.connection.inFlightBytes, h.connection.open]).toEqual([
      0,
      0,
      true,
    ]);
    h.connection.quit();
    await expect(h.connection.closed).resolves.toEqual({ reason: "quit" });
  });

  const forgetful = sessionWith(function skip(action, session): Action | null {
    // Closes without reporting its open jobs.
    return action?.type === "result" ? skip(session.pollAction(), session) : action;
  });

  it("a message the session never reports before closing (QUIT) fails as maybe sent", async () => {
    const h = openConnection({ respond: toy("bye"), sessionFactory: forgetful });
    await h.ready;
    const send = queuedSend();
    h.connection.submit(send);
    expect(await h.connection.closed).toEqual({ reason: "quit" });
    expect(h.results).toHaveLength(1);
    const [reported, result] = h.results[0]!;
    expect(reported).toBe(send);
    expect(result).toMatchObject({ ok: false, accepted: [], rejected: [], dataSent: true });
    expect(result.ok ? undefined : result.error).toMatchObject({
      kind: "connection",
      message: "connection failed: connection closed",
    });
    expect([h.connection.load, h.connection.inFlightBytes]).toEqual([0, 0]);
  });

  it("a message the session never reports before failing fails with the connection's error", async () => {
    const h = openConnection({ respond: toy(null), sessionFactory: forgetful });
    await h.ready;
    h.connection.submit(queuedSend());
    const info = await h.connection.closed;
    expect(info.error).toMatchObject({ kind: "connection", message: "eof" });
    expect(h.results.map(([, r]) => r)).toEqual([failedResult(info.error!, true)]);
  });

  it("a body asked for a job it does not carry fails the connection, saying so", async () => {
    const h = openConnection({
      respond: toy("ok"),
      sessionFactory: sessionWith((action) =>
        action?.type === "need-body" ? { ...action, id: 99 } : action,
      ),
    });
    await h.ready;
    h.connection.submit(queuedSend());
    const info = await h.connection.closed;
    expect(info.error).toMatchObject({
      kind: "invalid-input",
      message: "reading the message body failed: no message for job 99",
    });
  });

  it("a second result for a finished job is ignored", async () => {
    let again: Action | null = null;
    const h = openConnection({
      respond: toy("ok"),
      sessionFactory: sessionWith((action) => {
        if (again !== null) {
          const repeat = again;
          again = null;
          return repeat;
        }
        if (action?.type === "result") again = action;
        return action;
      }),
    });
    await h.ready;
    h.connection.submit(queuedSend());
    await h.resultCount(1);
    h.connection.quit();
    expect(await h.connection.closed).toEqual({ reason: "quit" });
    expect(h.results).toHaveLength(1);
    expect(h.connection.delivered).toBe(1);
    expect([h.connection.load, h.connection.inFlightBytes]).toEqual([0, 0]);
  });
});

/** A message made elsewhere: the real one's bytes, recording how it is streamed. */
function foreignMessage(single?: Uint8Array) {
  const real = queuedSend().message;
  const streamed: (StreamOptions | undefined)[] = [];
  const message: Message = {
    messageId: real.messageId,
    envelope: real.envelope,
    size: real.size,
    eightBit: false,
    smtpUtf8: false,
    replayable: true,
    singlePass: false,
    stream: (options) => {
      streamed.push(options);
      return real.stream(options);
    },
    ...(single === undefined ? {} : { singleChunk: () => single }),
  };
  return { message, streamed, text: real.singleChunk!()! };
}

describe("Connection: how it reads a message's body", () => {
  it("streams it, letting the builder reuse its buffers, when the message has no singleChunk", async () => {
    const { message, streamed, text } = foreignMessage();
    const h = openConnection({ respond: toy("ok") });
    await h.ready;
    h.connection.submit(queuedSend({ message }));
    await h.resultCount(1);
    expect(h.results[0]![1].ok).toBe(true);
    expect(streamed).toEqual([{ reuseBuffers: true }]);
    const session = h.sessions[0] as FakeSession;
    expect(session.body.join("")).toBe(new TextDecoder().decode(text));
    h.connection.quit();
    await h.connection.closed;
  });

  it("hands over a short message's single chunk without streaming it", async () => {
    const single = enc.encode("Subject: one\r\n\r\nin one piece\r\n");
    const { message, streamed } = foreignMessage(single);
    const h = openConnection({ respond: toy("ok") });
    await h.ready;
    h.connection.submit(queuedSend({ message }));
    await h.resultCount(1);
    expect(h.results[0]![1].ok).toBe(true);
    expect(streamed).toEqual([]);
    expect((h.sessions[0] as FakeSession).body).toEqual(["Subject: one\r\n\r\nin one piece\r\n"]);
    h.connection.quit();
    await h.connection.closed;
  });
});
