import type { JobId, SendResult } from "@smtp/core";
import { type CloseInfo, type DriveHooks, Driver } from "../src/drive.ts";
import { chunks, FakeSession, FakeTransport, type Faults, toyServer } from "./fakes.ts";

/** A {@link Driver} running one toy conversation, with what it produced. */
export interface DriveRun {
  driver: Driver;
  session: FakeSession;
  transport: FakeTransport;
  results: Map<JobId, SendResult>;
  info: Promise<CloseInfo>;
}

/** How {@link startDrive} sets the conversation up. */
export interface DriveSetup {
  faults?: Faults;
  /** Answers of the toy server that replace its usual ones (`toyServer`). */
  server?: Record<string, string | null | undefined>;
  /** Job `id`'s body; by default a two-chunk message. */
  body?: (id: JobId) => AsyncIterable<Uint8Array>;
  bodyBytes?: DriveHooks["bodyBytes"];
  signal?: AbortSignal;
  closeTimeout?: number;
  jobs?: number;
  /** QUIT once every job has its result (default true). */
  quitWhenDone?: boolean;
  /** The session to drive (default a fresh {@link FakeSession}). */
  session?: FakeSession;
  /** Changes the transport before the run starts (e.g. a write or close that hangs). */
  transport?: (transport: FakeTransport) => void;
  /** More input for the session right after `connected()` (e.g. a NOOP queued behind the greeting's answer). */
  connected?: (session: FakeSession) => void;
}

const job = { from: "a@example.test", to: ["b@example.test"] };

/**
 * Connects a {@link FakeSession} over a {@link FakeTransport} answered by the toy server,
 * queues `jobs` messages and runs the driver on `Date.now()` (fake timers in the tests).
 */
export function startDrive(setup: DriveSetup = {}): DriveRun {
  const session = setup.session ?? new FakeSession();
  const transport = new FakeTransport(
    toyServer(setup.server as Record<string, string | null>),
    setup.faults,
  );
  setup.transport?.(transport);
  const results = new Map<JobId, SendResult>();
  const jobs = setup.jobs ?? 1;
  const body = setup.body ?? (() => chunks("Subject: x\r\n\r\n", "hello\r\n"));
  const driver: Driver = new Driver(
    session,
    transport,
    {
      ready: () => {},
      body,
      ...(setup.bodyBytes ? { bodyBytes: setup.bodyBytes } : {}),
      result: (id, result) => {
        results.set(id, result);
        if (results.size === jobs && setup.quitWhenDone !== false) {
          session.quit(Date.now());
          driver.wake();
        }
      },
    },
    {
      now: () => Date.now(),
      signal: setup.signal,
      ...(setup.closeTimeout === undefined ? {} : { closeTimeout: setup.closeTimeout }),
    },
  );
  session.connected(Date.now());
  setup.connected?.(session);
  for (let i = 0; i < jobs; i++) session.send(job, Date.now());
  return { driver, session, transport, results, info: driver.run() };
}
