import type {
  Action,
  Capabilities,
  JobId,
  SendJob,
  SendResult,
  SessionApi,
  SessionOptions,
  SmtpError,
} from "@smtp/core";
import { Session } from "@smtp/core";
import { concatBytes } from "@smtp/core/internal";

/**
 * One thing that happened to an engine, in the order it happened: what the driver fed it
 * and what came out. A recording of these is exactly what a `.smtp` transcript states.
 */
export type TapEvent =
  | { type: "server"; bytes: Uint8Array }
  | { type: "client"; bytes: Uint8Array }
  | { type: "send"; job: SendJob }
  | { type: "body" }
  | { type: "starttls" | "eof" | "timeout" | "noop" | "quit" }
  | { type: "transport-failed"; error: SmtpError }
  | { type: "result"; result: SendResult }
  | { type: "close"; action: Extract<Action, { type: "close" }> };

/** How a {@link SessionTap} watches its engine. */
export interface TapOptions {
  /** Keep the events (for `smtp record`). Default false: only capabilities and progress. */
  record?: boolean;
  /**
   * Hold each body until its end and hand it to the engine in one piece (recording: a
   * transcript's body is handed over whole at a `-- body --` marker).
   */
  holdBodies?: boolean;
  /** Most bytes a recording keeps (server, client and held bodies together). */
  maxRecordBytes?: number;
  /** Body bytes handed to the engine so far, against the message's size when known. */
  onBodyProgress?: (sent: number, size: number | undefined) => void;
}

/** The default bound of a recording: 32 MiB. */
export const MAX_RECORD_BYTES = 32 * 1024 * 1024;

/**
 * Wraps the engine of one connection (through the client's session factory) and watches
 * it: the capabilities before and after STARTTLS, body progress, and for `smtp record`
 * every input and output in order.
 */
export class SessionTap implements SessionApi {
  readonly options: SessionOptions;
  readonly events: TapEvent[] = [];
  /** The body of each job, as handed to the engine (held bodies only). */
  readonly bodies = new Map<JobId, Uint8Array>();
  readonly jobs = new Map<JobId, SendJob>();
  /** Each job's result, once it came. */
  readonly results = new Map<JobId, SendResult>();
  /** The EHLO capabilities before STARTTLS, when there was one. */
  capabilitiesBeforeTls: Capabilities | undefined;
  /** Set once a recording outgrew its bound: the events are incomplete. */
  overflow = false;

  readonly #inner: SessionApi;
  readonly #tap: TapOptions;
  readonly #held = new Map<JobId, Uint8Array[]>();
  readonly #sent = new Map<JobId, number>();
  #recorded = 0;

  constructor(options: SessionOptions, tap: TapOptions = {}, inner?: SessionApi) {
    this.options = options;
    this.#tap = tap;
    this.#inner = inner ?? new Session(options);
  }

  #log(event: TapEvent, bytes = 0): void {
    if (!this.#tap.record || this.overflow) return;
    this.#recorded += bytes;
    if (this.#recorded > (this.#tap.maxRecordBytes ?? MAX_RECORD_BYTES)) {
      this.overflow = true;
      return;
    }
    this.events.push(event);
  }

  connected(now: number): void {
    this.#inner.connected(now);
  }
  receiveData(chunk: Uint8Array, now: number): void {
    this.#log({ type: "server", bytes: chunk.slice() }, chunk.length);
    this.#inner.receiveData(chunk, now);
  }
  receiveEof(now: number): void {
    this.#log({ type: "eof" });
    this.#inner.receiveEof(now);
  }
  tlsEstablished(now: number): void {
    this.#log({ type: "starttls" });
    this.#inner.tlsEstablished(now);
  }
  tokenRefreshed(token: string | SmtpError, now: number): void {
    this.#inner.tokenRefreshed(token, now);
  }
  handleTimeout(now: number): void {
    this.#log({ type: "timeout" });
    this.#inner.handleTimeout(now);
  }
  transportFailed(error: SmtpError, now: number): void {
    this.#log({ type: "transport-failed", error });
    this.#inner.transportFailed(error, now);
  }
  send(job: SendJob, now: number): JobId {
    this.#log({ type: "send", job });
    const id = this.#inner.send(job, now);
    this.jobs.set(id, job);
    return id;
  }
  bodyChunk(id: JobId, chunk: Uint8Array, now: number): void {
    if (this.#tap.holdBodies) {
      // The driver's buffers are reused by the message builder: keep a copy.
      const parts = this.#held.get(id) ?? [];
      parts.push(chunk.slice());
      this.#held.set(id, parts);
      this.#recorded += chunk.length;
      if (this.#recorded > (this.#tap.maxRecordBytes ?? MAX_RECORD_BYTES)) this.overflow = true;
    } else {
      this.#inner.bodyChunk(id, chunk, now);
    }
    const sent = (this.#sent.get(id) ?? 0) + chunk.length;
    this.#sent.set(id, sent);
    this.#tap.onBodyProgress?.(sent, this.jobs.get(id)?.size);
  }
  bodyEnd(id: JobId, now: number): void {
    if (this.#tap.holdBodies) {
      const parts = this.#held.get(id) ?? [];
      this.#held.delete(id);
      const body = parts.length === 1 ? (parts[0] as Uint8Array) : concatBytes(parts);
      this.bodies.set(id, body);
      this.#log({ type: "body" });
      if (body.length > 0) this.#inner.bodyChunk(id, body, now);
    }
    this.#inner.bodyEnd(id, now);
  }
  noop(now: number): void {
    this.#log({ type: "noop" });
    this.#inner.noop(now);
  }
  quit(now: number): void {
    this.#log({ type: "quit" });
    this.#inner.quit(now);
  }
  pollTransmit(): Uint8Array | null {
    const bytes = this.#inner.pollTransmit();
    if (bytes) this.#log({ type: "client", bytes: bytes.slice() }, bytes.length);
    return bytes;
  }
  pollAction(): Action | null {
    const action = this.#inner.pollAction();
    // Read now: after STARTTLS the engine forgets them for the new EHLO's.
    if (action?.type === "upgrade-tls") this.capabilitiesBeforeTls = this.#inner.capabilities;
    else if (action?.type === "result") {
      this.results.set(action.id, action.result);
      this.#log({ type: "result", result: action.result });
    } else if (action?.type === "close") this.#log({ type: "close", action });
    return action;
  }
  pollTimeout(): number | null {
    return this.#inner.pollTimeout();
  }
  get state(): string {
    return this.#inner.state;
  }
  get capabilities(): Capabilities | undefined {
    return this.#inner.capabilities;
  }
  get idle(): boolean {
    return this.#inner.idle;
  }
}
