import { SmtpError } from "@smtp/core";
import type { Connector, ConnectTarget } from "@smtp/core/transport-kit";
import { describe, expect, it } from "vitest";
import type { ClientOptions } from "../src/options.ts";
import { failedResult } from "../src/result.ts";
import { openConnection, queuedSend } from "./connection-harness.ts";
import { FakeTransport, toyServer } from "./fakes.ts";

/** A connector that records what it was asked for and never finishes connecting. */
function stalledConnector() {
  const calls: { target: ConnectTarget; signal: AbortSignal | undefined }[] = [];
  const connector: Connector = (target, signal) => {
    calls.push({ target, signal });
    return new Promise(() => {});
  };
  return { connector, calls };
}

/** Resolves once `calls` has an entry (the connector is reached after a few turns). */
async function firstCall<T>(calls: T[]): Promise<T> {
  for (let i = 0; i < 100 && calls.length === 0; i++) await Promise.resolve();
  expect(calls).toHaveLength(1);
  return calls[0]!;
}

describe("Connection: what it asks the connector for", () => {
  const cases: [string, Partial<ClientOptions>, ConnectTarget["tls"]][] = [
    ["implicit TLS", { secure: true }, "implicit"],
    ["STARTTLS required (the default)", {}, "starttls"],
    ["STARTTLS opportunistic", { starttls: "opportunistic" }, "starttls"],
    ["no STARTTLS", { starttls: "never" }, "none"],
  ];
  for (const [name, options, tls] of cases) {
    it(`${name}: tls "${tls}"`, async () => {
      const { connector, calls } = stalledConnector();
      const h = openConnection({
        options: { port: 2525, timeouts: { connect: 4_321 }, ...options },
        connector,
      });
      const call = await firstCall(calls);
      expect(call.target).toEqual({
        host: "mx.example.test",
        port: 2525,
        tls,
        connectTimeout: 4_321,
      });
      h.connection.abort(undefined, "done");
      await h.connection.closed;
    });
  }
});

describe("Connection: connecting under the connect timeout and the abort", () => {
  it("a connect that outlasts the connect timeout fails the connection with a retryable timeout", async () => {
    const { connector, calls } = stalledConnector();
    const h = openConnection({ options: { timeouts: { connect: 20 } }, connector });
    const waiting = queuedSend();
    h.connection.submit(waiting);
    const info = await h.connection.closed;
    expect(info.reason).toBe("error");
    expect(info.error).toBeInstanceOf(SmtpError);
    expect(info.error).toMatchObject({
      kind: "timeout",
      phase: "connect",
      message: "connecting took longer than the connect timeout",
      retryable: true,
    });
    // The connector is told to stop, with the same error.
    expect(calls[0]!.signal?.reason).toBe(info.error);
    expect(h.results).toEqual([[waiting, failedResult(info.error!, false)]]);
  });

  it("an abort while connecting reaches the connector's signal at once", async () => {
    const { connector, calls } = stalledConnector();
    const h = openConnection({ connector });
    const { signal } = await firstCall(calls);
    expect(signal?.aborted).toBe(false);
    h.connection.abort(undefined, "stop");
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toMatchObject({ kind: "aborted", cause: "stop" });
    const info = await h.connection.closed;
    expect(info.error).toBe(signal?.reason);
  });

  it("the connector's signal is only about connecting: a later abort of the connection leaves it alone", async () => {
    const signals: (AbortSignal | undefined)[] = [];
    const transports: FakeTransport[] = [];
    const h = openConnection({
      connector: async (_, signal) => {
        signals.push(signal);
        const transport = new FakeTransport(toyServer({ HELLO: "ready" }));
        transports.push(transport);
        return transport;
      },
    });
    await h.ready;
    h.connection.abort(undefined, "stop");
    const info = await h.connection.closed;
    expect(info.error).toMatchObject({ kind: "aborted", cause: "stop" });
    expect(transports[0]!.aborts).toBe(1);
    expect(signals).toHaveLength(1);
    expect(signals[0]!.aborted).toBe(false);
  });

  it("an abort that comes as the transport opens destroys it before any session starts", async () => {
    const transport = new FakeTransport(toyServer({ HELLO: "ready" }));
    let deliver: (t: FakeTransport) => void = () => {};
    const calls: number[] = [];
    const h = openConnection({
      connector: () => {
        calls.push(1);
        return new Promise((resolve) => {
          deliver = resolve;
        });
      },
    });
    await firstCall(calls);
    deliver(transport);
    // The connect has been seen to succeed (its wait is over) when the abort comes.
    await Promise.resolve();
    h.connection.abort(undefined, "stop");
    const info = await h.connection.closed;
    expect(info).toEqual({ reason: "error", error: expect.objectContaining({ kind: "aborted" }) });
    expect(h.sessions).toHaveLength(0);
    expect(h.connection.everConnected).toBe(false);
    expect(transport.writes).toEqual([]);
    expect(transport.aborts).toBe(1);
  });
});

describe("Connection: failing before the session", () => {
  it("a connector that fails closes it: the waiting messages fail unsent, and it takes no more", async () => {
    const refused = new SmtpError({ kind: "connection", message: "ECONNREFUSED" });
    const h = openConnection({
      connector: async () => {
        throw refused;
      },
    });
    const a = queuedSend();
    const b = queuedSend({ unknownSize: true });
    h.connection.submit(a);
    h.connection.submit(b);
    expect(h.connection.open).toBe(true);
    const info = await h.connection.closed;
    expect(info).toEqual({ reason: "error", error: refused });
    await expect(h.closedEvent).resolves.toEqual({ reason: "error", error: refused });
    expect(h.results).toEqual([
      [a, failedResult(refused, false)],
      [b, failedResult(refused, false)],
    ]);
    expect(h.connection.state).toBe("closed");
    expect(h.connection.open).toBe(false);
    expect(h.connection.load).toBe(0);
    expect(h.connection.inFlightBytes).toBe(0);
    expect(h.connection.everConnected).toBe(false);
  });
});

describe("Connection: quit", () => {
  it("quit() while connecting: no more messages, and QUIT as soon as the session starts", async () => {
    const h = openConnection({ respond: toyServer() });
    h.connection.quit();
    expect(h.connection.open).toBe(false);
    expect(h.connection.state).toBe("connecting");
    // The toy server answers HELLO with "tls" and then QUIT with "bye": the session never
    // gets ready. Without the QUIT it would get ready and stay open.
    const first = await Promise.race([
      h.connection.closed,
      h.ready.then(() => "ready without QUIT"),
    ]);
    expect(first).toEqual({ reason: "quit" });
    expect(h.transports[0]!.writes.slice(0, 2)).toEqual(["HELLO\r\n", "QUIT\r\n"]);
  });

  it("quit() on a closed connection does nothing more", async () => {
    const h = openConnection({ respond: toyServer({ HELLO: "ready" }) });
    await h.ready;
    h.connection.abort(undefined, "stop");
    await h.connection.closed;
    const session = h.sessions[0]! as unknown as { out: string[] };
    const said = [...session.out];
    h.connection.quit();
    expect(session.out).toEqual(said);
    expect(h.connection.state).toBe("closed");
  });
});
