import type { SendJob, SendResult, SessionApi } from "@smtp/core";
import type { Connector } from "@smtp/core/transport-kit";
import type { Message } from "@smtp/mime";
import { Connection, type SessionFactory } from "../src/connection.ts";
import type { CloseInfo } from "../src/drive.ts";
import type { QueuedSend } from "../src/job.ts";
import type { ClientOptions } from "../src/options.ts";
import { prepareMessage } from "../src/prepare.ts";
import { resolveOptions } from "../src/resolve-options.ts";
import { FakeSession, FakeTransport, toyServer } from "./fakes.ts";

/** A message as the pool queues it; `job` overrides fields of the prepared job. */
export function queuedSend(
  options: { job?: Partial<SendJob>; unknownSize?: boolean; message?: Message } = {},
): QueuedSend {
  const prepared = prepareMessage(
    { from: "from@example.test", to: "to@example.test", text: "hello\n" },
    {},
  );
  const job: SendJob = { ...prepared.job, ...options.job };
  if (options.unknownSize) delete job.size;
  return {
    message: options.message ?? prepared.message,
    job,
    signal: undefined,
    attempts: 0,
    settled: false,
    resolve: () => {},
    reject: () => {},
  };
}

/** A {@link Connection} over a {@link FakeTransport}, with what it told its owner. */
export interface Harness {
  connection: Connection;
  /** The transport the connector opened, once it has. */
  transports: FakeTransport[];
  /** Every session the factory built. */
  sessions: SessionApi[];
  /** `[message, result]`, in the order the connection reported them. */
  results: [QueuedSend, SendResult][];
  /** Resolves when the connection reports `ready`. */
  ready: Promise<void>;
  /** Resolves with the `closed` event's info. */
  closedEvent: Promise<CloseInfo>;
  /** Resolves once `n` results have been reported. */
  resultCount(n: number): Promise<void>;
}

/**
 * Opens a {@link Connection} the way the pool does. By default the connector hands over a
 * {@link FakeTransport} answering like `toyServer({ HELLO: "ready" })`, and the session is a
 * {@link FakeSession}. `onResult` runs inside the connection's `result` event.
 */
export function openConnection(
  setup: {
    options?: Partial<ClientOptions>;
    respond?: (line: string) => string | null | undefined;
    connector?: Connector;
    sessionFactory?: SessionFactory;
    onResult?: (connection: Connection, send: QueuedSend, result: SendResult) => void;
  } = {},
): Harness {
  const transports: FakeTransport[] = [];
  const sessions: SessionApi[] = [];
  const results: [QueuedSend, SendResult][] = [];
  const respond = setup.respond ?? toyServer({ HELLO: "ready" });
  const connector: Connector =
    setup.connector ??
    (async () => {
      const transport = new FakeTransport(respond);
      transports.push(transport);
      return transport;
    });
  const factory = setup.sessionFactory ?? (() => new FakeSession());
  let onReady = () => {};
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  let onClosed: (info: CloseInfo) => void = () => {};
  const closedEvent = new Promise<CloseInfo>((resolve) => {
    onClosed = resolve;
  });
  const waiters: { n: number; resolve: () => void }[] = [];
  const connection = new Connection(
    resolveOptions({ host: "mx.example.test", name: "client.example.test", ...setup.options }),
    Promise.resolve(connector),
    {
      ready: () => onReady(),
      result: (c, send, result) => {
        setup.onResult?.(c, send, result);
        results.push([send, result]);
        for (const w of waiters) if (results.length >= w.n) w.resolve();
      },
      closed: (_, info) => onClosed(info),
    },
    (o) => {
      const session = factory(o);
      sessions.push(session);
      return session;
    },
  );
  return {
    connection,
    transports,
    sessions,
    results,
    ready,
    closedEvent,
    resultCount: (n) =>
      results.length >= n
        ? Promise.resolve()
        : new Promise((resolve) => {
            waiters.push({ n, resolve });
          }),
  };
}
