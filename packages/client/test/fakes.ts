import { createClient } from "@smtp/client";
import type { Action, Capabilities, JobId, SendJob, SendResult, SessionApi } from "@smtp/core";
import { SmtpError } from "@smtp/core";
import type { Connector, Transport } from "@smtp/core/transport-kit";

const enc = new TextEncoder();
const dec = new TextDecoder();

export const fakeCapabilities: Capabilities = {
  keywords: new Map(),
  pipelining: true,
  size: undefined,
  eightBitMime: true,
  smtpUtf8: false,
  startTls: true,
  auth: [],
  enhancedStatusCodes: true,
  chunking: false,
  binaryMime: false,
  dsn: false,
  requireTls: false,
  helo: false,
};

/**
 * A tiny scripted stand-in for the core Session, speaking a toy protocol: the server's
 * words `tls`, `ready`, `go` (send the body), `ok` (job done), `bye` (after QUIT).
 */
export class FakeSession implements SessionApi {
  readonly out: string[] = [];
  readonly body: string[] = [];
  #transmit: Uint8Array[] = [];
  #actions: Action[] = [];
  #deadline: number | null = null;
  #jobs: JobId[] = [];
  #nextId = 1;
  #dataSent = new Set<JobId>();
  /** Jobs whose end of data went out (their outcome is unknown until "ok"). */
  #ended = new Set<JobId>();
  #closed = false;
  /** QUIT asked for while jobs were open: it goes out after the last one, as the Session does. */
  #quitAfterJobs = false;
  state = "greeting";
  capabilities: Capabilities | undefined;
  /** Jobs handed to this session so far (`send` calls). */
  given = 0;
  readonly timeoutMs: number;
  readonly #capabilities: Capabilities;
  constructor(timeoutMs = 1000, capabilities: Capabilities = fakeCapabilities) {
    this.timeoutMs = timeoutMs;
    this.#capabilities = capabilities;
  }
  get idle() {
    return this.state === "ready" && this.#jobs.length === 0;
  }
  #write(text: string, now: number) {
    this.out.push(text);
    this.#transmit.push(enc.encode(`${text}\r\n`));
    this.#deadline = now + this.timeoutMs;
  }
  /** QUIT, in the state the Session is in once it has sent it. */
  #quit(now: number) {
    this.state = "quitting";
    this.#write("QUIT", now);
  }
  #close(reason: "quit" | "error" | "timeout" | "eof", error?: SmtpError) {
    if (this.#closed) return;
    for (const id of this.#jobs) {
      const cause = error ?? new SmtpError({ kind: "connection", message: reason });
      // As the real Session: an unanswered end of data may have been delivered.
      const maybe = new SmtpError({
        kind: "connection",
        message: `${cause.message}; may have been delivered`,
        detail: "maybe-delivered",
        retryable: false,
        cause,
      });
      this.#actions.push({
        type: "result",
        id,
        result: {
          ok: false,
          error: this.#ended.has(id) ? maybe : cause,
          accepted: [],
          rejected: [],
          dataSent: this.#dataSent.has(id),
        },
      });
    }
    this.#jobs = [];
    this.#closed = true;
    this.state = "closed";
    this.#deadline = null;
    this.#actions.push(error ? { type: "close", reason, error } : { type: "close", reason });
  }
  connected(now: number) {
    this.#write("HELLO", now);
  }
  receiveData(chunk: Uint8Array, now: number) {
    for (const word of dec.decode(chunk).split(/\s+/).filter(Boolean)) {
      if (word === "tls") this.#actions.push({ type: "upgrade-tls", servername: "example.test" });
      else if (word === "ready") {
        this.state = "ready";
        this.capabilities = this.#capabilities;
        this.#deadline = null;
        this.#actions.push({ type: "ready", capabilities: this.#capabilities });
        // One transaction at a time: MAIL for the head job; the next after its result.
        if (this.#jobs[0] !== undefined) this.#write(`MAIL ${this.#jobs[0]}`, now);
      } else if (word === "go") {
        const id = this.#jobs[0];
        if (id !== undefined) this.#actions.push({ type: "need-body", id });
      } else if (word === "ok") {
        const id = this.#jobs.shift();
        if (this.#jobs[0] !== undefined) this.#write(`MAIL ${this.#jobs[0]}`, now);
        else if (this.#quitAfterJobs) this.#quit(now);
        this.#deadline = this.#jobs.length ? now + this.timeoutMs : null;
        if (id !== undefined) {
          const result: SendResult = {
            ok: true,
            accepted: ["a@example.test"],
            rejected: [],
            reply: { code: 250, lines: ["ok"] },
          };
          this.#actions.push({ type: "result", id, result });
        }
      } else if (word === "bye") this.#close("quit");
    }
  }
  receiveEof() {
    this.#close("eof", new SmtpError({ kind: "connection", message: "eof" }));
  }
  tlsEstablished(now: number) {
    this.#write("EHLO-AGAIN", now);
  }
  tokenRefreshed() {}
  handleTimeout() {
    this.#close(
      "timeout",
      new SmtpError({ kind: "timeout", message: "timeout", phase: "command" }),
    );
  }
  transportFailed(error: SmtpError) {
    this.#close("error", error);
  }
  send(_job: SendJob, now: number): JobId {
    const id = this.#nextId++;
    this.given++;
    this.#jobs.push(id);
    if (this.state === "ready" && this.#jobs.length === 1) this.#write(`MAIL ${id}`, now);
    return id;
  }
  bodyChunk(id: JobId, chunk: Uint8Array, now: number) {
    this.#dataSent.add(id);
    this.body.push(dec.decode(chunk));
    this.#transmit.push(chunk);
    this.#deadline = now + this.timeoutMs;
  }
  bodyEnd(id: JobId, now: number) {
    this.#ended.add(id);
    this.#write(".", now);
  }
  noop(now: number) {
    this.#write("NOOP", now);
  }
  quit(now: number) {
    if (this.#jobs.length === 0) this.#quit(now);
    else this.#quitAfterJobs = true;
  }
  pollTransmit() {
    return this.#transmit.shift() ?? null;
  }
  pollAction() {
    return this.#actions.shift() ?? null;
  }
  pollTimeout() {
    return this.#deadline;
  }
}

/** Faults a {@link FakeTransport} can inject. */
export interface Faults {
  writeThrowsAt?: number;
  startTlsRejects?: boolean;
  readRejectsAt?: number;
  /** What the read at `readRejectsAt` rejects with (default: a `connection` error). */
  readError?: SmtpError;
}

/**
 * An in-memory transport: `reply(text)` queues server bytes; `respond` maps each client
 * line to the server's answer. Counts closes and aborts.
 */
export class FakeTransport implements Transport {
  /** Absent unless a test gives one (a transport that cannot half-close). */
  closeWrite?: () => Promise<void>;
  closes = 0;
  aborts = 0;
  writes: string[] = [];
  secure = false;
  readonly localAddress = "127.0.0.1";
  #reads = 0;
  #queue: (Uint8Array | null)[] = [];
  #waiter: ((v: Uint8Array | null) => void) | undefined;
  #failWaiter: ((e: unknown) => void) | undefined;
  readonly respond: (line: string) => string | null | undefined;
  readonly faults: Faults;
  constructor(respond: (line: string) => string | null | undefined, faults: Faults = {}) {
    this.respond = respond;
    this.faults = faults;
  }
  get finished() {
    return this.closes + this.aborts;
  }
  push(value: Uint8Array | null) {
    if (this.#waiter) {
      const w = this.#waiter;
      this.#waiter = undefined;
      this.#failWaiter = undefined;
      w(value);
    } else this.#queue.push(value);
  }
  read(): Promise<Uint8Array | null> {
    this.#reads++;
    if (this.faults.readRejectsAt === this.#reads) {
      return Promise.reject(
        this.faults.readError ?? new SmtpError({ kind: "connection", message: "read failed" }),
      );
    }
    if (this.#queue.length > 0) return Promise.resolve(this.#queue.shift() ?? null);
    return new Promise((resolve, reject) => {
      this.#waiter = resolve;
      this.#failWaiter = reject;
    });
  }
  async write(bytes: Uint8Array): Promise<void> {
    const text = dec.decode(bytes);
    this.writes.push(text);
    if (this.faults.writeThrowsAt === this.writes.length) {
      throw new Error("EPIPE: write after end");
    }
    for (const line of text.split("\r\n").filter(Boolean)) {
      const answer = this.respond(line);
      if (answer === null) queueMicrotask(() => this.push(null));
      else if (answer !== undefined) queueMicrotask(() => this.push(enc.encode(answer)));
    }
  }
  async startTls(): Promise<void> {
    if (this.faults.startTlsRejects) {
      throw new SmtpError({ kind: "tls", message: "certificate verify failed", retryable: false });
    }
    this.secure = true;
  }
  async close(): Promise<void> {
    this.closes++;
  }
  abort(): void {
    this.aborts++;
    this.#failWaiter?.(new SmtpError({ kind: "connection", message: "aborted" }));
    this.#waiter = undefined;
    this.#failWaiter = undefined;
  }
}

/** The toy server's usual answers. */
export function toyServer(overrides: Record<string, string | null | undefined> = {}) {
  return (line: string): string | null | undefined => {
    const key = line.split(" ")[0] ?? "";
    if (key in overrides) return overrides[key];
    if (key === "HELLO") return "tls";
    if (key === "EHLO-AGAIN") return "ready";
    if (key === "MAIL") return "go";
    if (key === ".") return "ok";
    if (key === "QUIT") return "bye";
    return undefined;
  };
}

export async function* chunks(...parts: string[]): AsyncIterable<Uint8Array> {
  for (const p of parts) yield enc.encode(p);
}

/**
 * One connection's server: overrides of {@link toyServer}'s answers (greeting with `ready`,
 * no TLS; `undefined`: no answer), `"refuse"` (the connector throws ECONNREFUSED), or a factory of a whole
 * answering function, called once per connection (for per-connection state).
 */
export type Script =
  | Record<string, string | null | undefined>
  | "refuse"
  | (() => (line: string) => string | null | undefined);

/**
 * A connector whose n-th connection answers with `scripts[n]` (the last one repeats), or
 * throws; `faults[n]` breaks the n-th connection's transport. Its sessions are
 * {@link FakeSession}s offering `capabilities`.
 */
export function scripted(
  scripts: Script[],
  faults: Faults[] = [],
  capabilities: Capabilities = fakeCapabilities,
) {
  const transports: FakeTransport[] = [];
  const sessions: FakeSession[] = [];
  const connector: Connector = async () => {
    const script = scripts[Math.min(transports.length, scripts.length - 1)]!;
    if (script === "refuse") {
      transports.push(new FakeTransport(() => undefined));
      throw new SmtpError({ kind: "connection", message: "connect ECONNREFUSED" });
    }
    const respond =
      typeof script === "function" ? script() : toyServer({ HELLO: "ready", ...script });
    const t = new FakeTransport(respond, faults[transports.length] ?? {});
    transports.push(t);
    return t;
  };
  const sessionFactory = () => {
    const s = new FakeSession(1000, capabilities);
    sessions.push(s);
    return s;
  };
  return { connector, transports, sessions, sessionFactory };
}

/** Loads the engine (a dynamic import, real I/O) with one send, before a test's clock or loop counts. */
export async function loadEngine(): Promise<void> {
  const s = scripted([{}]);
  const client = createClient(
    { host: "mx.example.test", name: "client.example.test", transport: s.connector },
    { sessionFactory: s.sessionFactory },
  );
  await client.send(markedMessage(0));
}

/** Message `i` of a test: its marker `<<m{i}>>` in the body tells which connection carried it. */
export function markedMessage(i: number) {
  return { from: "a@example.test", to: "b@example.test", subject: `m${i}`, text: `<<m${i}>>\n` };
}

/** The markers of the messages whose body went out on each connection of `s`, in order. */
export function carried(s: { sessions: FakeSession[] }): string[][] {
  return s.sessions.map((session) => session.body.join("").match(/<<m\d+>>/g) ?? []);
}

/** A send's outcome: what it resolved to, or the error it rejected with. */
export function outcome<T>(promise: Promise<T>): Promise<T | SmtpError> {
  return promise.then(
    (value) => value,
    (error: unknown) => error as SmtpError,
  );
}

/** Lets the driver loops and the pool run until nothing moves (no timer involved). */
export async function idle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}
