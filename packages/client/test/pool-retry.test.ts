import { createClient, type SmtpError } from "@smtp/client";
import { describe, expect, it } from "vitest";
import { FakeTransport, scripted } from "./fakes.ts";

const message = { from: "a@example.test", to: "b@example.test", subject: "s", text: "body\n" };

describe("pool retries (scripted server)", () => {
  it("retries a message on a new connection when the server dropped it before any data", async () => {
    const s = scripted([{ MAIL: null }, {}]);
    const client = createClient(
      { host: "mx.example.test", transport: s.connector, pool: true },
      { sessionFactory: s.sessionFactory },
    );
    const info = await client.send(message);
    await client.close();
    expect(info.accepted).toEqual(["a@example.test"]);
    expect(s.transports).toHaveLength(2);
    // The body went out exactly once, on the second connection.
    expect(s.sessions.map((x) => x.body.length > 0)).toEqual([false, true]);
    expect(s.transports.map((t) => t.closes + t.aborts)).toEqual([1, 1]);
  });

  it("never resends a message whose data was sent: it fails instead", async () => {
    const s = scripted([{ ".": null }, {}]);
    const client = createClient(
      { host: "mx.example.test", transport: s.connector, pool: true },
      { sessionFactory: s.sessionFactory },
    );
    const error = await client.send(message).then(
      () => undefined,
      (e: unknown) => e as SmtpError,
    );
    await client.close();
    expect(error?.kind).toBe("connection");
    expect(s.transports).toHaveLength(1);
  });

  it("resends a message whose connection failed mid-body, before its end of data", async () => {
    // Writes: HELLO, MAIL 1, then the body in 64 KiB flushes: the first body write fails.
    const s = scripted([{}], [{ writeThrowsAt: 3 }]);
    const client = createClient(
      { host: "mx.example.test", transport: s.connector, pool: true },
      { sessionFactory: s.sessionFactory },
    );
    const big = { ...message, text: "x".repeat(200_000) };
    const info = await client.send(big);
    await client.close();
    expect(info.accepted).toEqual(["a@example.test"]);
    expect(s.transports).toHaveLength(2);
    expect(s.sessions[0]!.body.length).toBeGreaterThan(0);
  });

  it("does not resend a half-sent message whose body was a stream it cannot read again", async () => {
    const s = scripted([{}], [{ writeThrowsAt: 3 }]);
    const client = createClient(
      { host: "mx.example.test", transport: s.connector, pool: true },
      { sessionFactory: s.sessionFactory },
    );
    const bytes = new TextEncoder().encode("y".repeat(300_000));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes);
        controller.close();
      },
    });
    const error = await client
      .send({ ...message, attachments: [{ filename: "y.txt", content: stream }] })
      .then(
        () => undefined,
        (e: unknown) => e as SmtpError,
      );
    await client.close();
    expect(error?.kind).toBe("connection");
    expect(s.transports).toHaveLength(1);
  });

  it("one message's unreadable body fails that message alone: the one behind it is resent", async () => {
    const s = scripted([{}]);
    const client = createClient(
      { host: "mx.example.test", transport: s.connector, pool: { maxConnections: 1 } },
      { sessionFactory: s.sessionFactory },
    );
    const broken = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new Error("disk read failed"));
      },
    });
    const [bad, good] = await Promise.allSettled([
      client.send({ ...message, attachments: [{ filename: "z.bin", content: broken }] }),
      client.send(message),
    ]);
    await client.close();
    expect(bad.status === "rejected" && (bad.reason as SmtpError).kind).toBe("invalid-input");
    expect(good.status).toBe("fulfilled");
    expect(s.transports).toHaveLength(2);
  });

  it("gives up after three connections that fail the same message", async () => {
    const s = scripted([{ MAIL: null }]);
    const client = createClient(
      { host: "mx.example.test", transport: s.connector, pool: true },
      { sessionFactory: s.sessionFactory },
    );
    const error = await client.send(message).then(
      () => undefined,
      (e: unknown) => e as SmtpError,
    );
    await client.close();
    expect(error?.kind).toBe("connection");
    expect(s.transports).toHaveLength(3);
  });

  it("when connecting fails, every queued message fails with that error (no connection storm)", async () => {
    const s = scripted(["refuse"]);
    const client = createClient(
      { host: "mx.example.test", transport: s.connector, pool: { maxConnections: 1 } },
      { sessionFactory: s.sessionFactory },
    );
    const settled = await Promise.allSettled(Array.from({ length: 5 }, () => client.send(message)));
    await client.close();
    expect(settled.every((r) => r.status === "rejected")).toBe(true);
    expect(s.transports).toHaveLength(1);
  });

  it("with several connections opening and none working, a queue of messages causes no connect storm", async () => {
    const s = scripted(["refuse"]);
    const client = createClient(
      { host: "mx.example.test", transport: s.connector, pool: { maxConnections: 3 } },
      { sessionFactory: s.sessionFactory },
    );
    const settled = await Promise.allSettled(
      Array.from({ length: 30 }, () => client.send(message)),
    );
    await client.close();
    expect(settled.every((r) => r.status === "rejected")).toBe(true);
    expect(s.transports.length).toBeLessThanOrEqual(3);
  });

  it("without a pool every message gets its own connection, closed before send resolves", async () => {
    const s = scripted([{}]);
    const client = createClient(
      { host: "mx.example.test", transport: s.connector },
      { sessionFactory: s.sessionFactory },
    );
    await client.send(message);
    expect(s.transports.map((t) => ({ closes: t.closes, aborts: t.aborts }))).toEqual([
      { closes: 1, aborts: 0 },
    ]);
    await client.send(message);
    expect(s.transports).toHaveLength(2);
  });
});

describe("connectors and token providers that never answer", () => {
  it("a hanging connector gives a connect timeout, and a transport it delivers later is destroyed", async () => {
    let deliver: ((t: FakeTransport) => void) | undefined;
    const late = new FakeTransport(() => undefined);
    const client = createClient({
      host: "mx.example.test",
      timeouts: { connect: 50 },
      transport: () => new Promise((resolve) => (deliver = resolve)),
    });
    const error = await client.send(message).then(
      () => undefined,
      (e: unknown) => e as SmtpError,
    );
    expect(error?.kind).toBe("timeout");
    expect(error?.phase).toBe("connect");
    deliver?.(late);
    await new Promise((resolve) => setImmediate(resolve));
    expect(late.aborts).toBe(1);
  });

  it("the connect timeout reaches the connector through its signal, with the timeout error", async () => {
    // Transports keep no clock: the signal is what ends their TCP connect or handshake.
    const signals: AbortSignal[] = [];
    const client = createClient({
      host: "mx.example.test",
      timeouts: { connect: 50 },
      transport: (_target, signal) => {
        if (signal) signals.push(signal);
        return new Promise(() => {});
      },
    });
    const error = await client.send(message).then(
      () => undefined,
      (e: unknown) => e as SmtpError,
    );
    expect(error?.kind).toBe("timeout");
    expect(signals.length).toBeGreaterThan(0);
    for (const signal of signals) {
      expect(signal.aborted).toBe(true);
      expect(signal.reason).toMatchObject({ kind: "timeout", phase: "connect" });
    }
  });

  it("aborting a send while connecting aborts the connector's signal too", async () => {
    const signals: AbortSignal[] = [];
    const client = createClient({
      host: "mx.example.test",
      transport: (_target, signal) => {
        if (signal) signals.push(signal);
        return new Promise(() => {});
      },
    });
    const controller = new AbortController();
    const sending = client.send(message, { signal: controller.signal }).then(
      () => undefined,
      (e: unknown) => e as SmtpError,
    );
    while (signals.length === 0) await new Promise((resolve) => setImmediate(resolve));
    controller.abort(new Error("user gave up"));
    expect((await sending)?.kind).toBe("aborted");
    expect(signals[0]?.aborted).toBe(true);
  });

  it("a hanging token provider gives a connect timeout without connecting", async () => {
    const s = scripted([{}]);
    const client = createClient(
      {
        host: "mx.example.test",
        timeouts: { connect: 50 },
        auth: { user: "u@example.test", accessToken: () => new Promise<string>(() => {}) },
        transport: s.connector,
      },
      { sessionFactory: s.sessionFactory },
    );
    const error = await client.send(message).then(
      () => undefined,
      (e: unknown) => e as SmtpError,
    );
    expect(error).toMatchObject({
      kind: "timeout",
      phase: "connect",
      message:
        "the access token provider took longer than the connect timeout. No connection was " +
        "opened: raise timeouts.connect (50 ms) if the provider is only slow.",
      retryable: true,
    });
    expect(s.transports).toHaveLength(0);
  });
});
