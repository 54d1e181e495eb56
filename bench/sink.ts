/**
 * The receiving end: smtp-server accepting everything, with its 100 ms greeting delay
 * patched out (server policy, not client cost), commands and socket reads counted, DATA
 * optionally read at a throttled rate (to show whether a client respects back-pressure),
 * and a sample of the messages kept for the correctness check.
 */
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { SMTPServer, type SMTPServerSession } from "smtp-server";
import { SMTPConnection } from "smtp-server/lib/smtp-connection.js";

/** How the sink treats the messages it receives; changed between measurements. @since 0.1.0 */
export interface SinkMode {
  /** `memory`: keep every `sampleEvery`-th message (up to `sampleMax`); `file`: write each to `dir`. */
  store: "memory" | "file";
  sampleEvery: number;
  sampleMax: number;
  /** Directory for `store: "file"`. */
  dir?: string;
  /** Read DATA at this many bytes per second; 0 = as fast as possible. */
  throttleBytesPerSec: number;
}

/** Counters since the last reset. @since 0.1.0 */
export interface SinkCounters {
  connections: number;
  messages: number;
  /** Message bytes (after dot-unstuffing) received. */
  bytes: number;
  /** RCPT TO addresses over all messages. */
  recipients: number;
  /** Command lines received, by command name (MAIL, RCPT, DATA, RSET, QUIT, EHLO, …). */
  commands: Record<string, number>;
  /** Socket reads on the sink's side (client→server chunks as they arrive). */
  reads: number;
}

/** One kept message. @since 0.1.0 */
export interface StoredMessage {
  /** The raw message, base64 (small messages) — absent when written to a file. */
  raw?: string;
  /** The file it was written to (`store: "file"`). */
  file?: string;
  rcptCount: number;
  mailFrom: string;
}

/** A running sink. @since 0.1.0 */
export interface Sink {
  port: number;
  counters(): SinkCounters;
  reset(mode: SinkMode): void;
  stored(): StoredMessage[];
  close(): Promise<void>;
}

interface PatchedConnection {
  _socket: { on(event: "data", listener: (chunk: Buffer) => void): void };
  _server: { options: { maxClients?: number }; connections: Set<unknown> };
  init(): void;
  _setListeners(callback: () => void): void;
  connectionReady(): void;
  send(code: number, message: string, close?: boolean): void;
  name: string;
  _onCommand(command: Buffer | undefined, callback: () => void): void;
}

function emptyCounters(): SinkCounters {
  return { connections: 0, messages: 0, bytes: 0, recipients: 0, commands: {}, reads: 0 };
}

let counters = emptyCounters();
let greetingDelayMs = 0;
let patched = false;

/**
 * Replaces smtp-server's connection start-up so that the greeting goes out after
 * `greetingDelayMs` (stock: a hard-coded 100 ms early-talker delay; here 0 by default), and
 * counts socket reads and commands. Applied once per process.
 */
function patchSmtpServer(): void {
  if (patched) return;
  patched = true;
  const proto = (SMTPConnection as unknown as { prototype: PatchedConnection }).prototype;
  const onCommand = proto._onCommand;
  proto._onCommand = function (this: PatchedConnection, command, callback) {
    const name = (command ?? "").toString().split(" ", 1)[0]!.toUpperCase();
    counters.commands[name] = (counters.commands[name] ?? 0) + 1;
    onCommand.call(this, command, callback);
  };
  proto.init = function (this: PatchedConnection) {
    this._socket.on("data", () => {
      counters.reads++;
    });
    this._setListeners(() => {
      const max = this._server.options.maxClients;
      if (max && this._server.connections.size > max) {
        this.send(421, `${this.name} Too many connected clients, try again in a moment`, false);
        return;
      }
      if (greetingDelayMs > 0) setTimeout(() => this.connectionReady(), greetingDelayMs).unref();
      else this.connectionReady();
    });
  };
}

/** Pauses `stream` while anything holds it (the throttle, a full file buffer). */
function holder(stream: Readable): () => () => void {
  let holds = 0;
  return () => {
    if (holds++ === 0) stream.pause();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--holds === 0) stream.resume();
    };
  };
}

/** Reads `stream` to the end, optionally throttled, handing each chunk to `onChunk`. */
function drain(
  stream: Readable,
  bytesPerSec: number,
  onChunk: (chunk: Buffer, hold: () => () => void) => void,
  done: () => void,
): void {
  const hold = holder(stream);
  const started = performance.now();
  let total = 0;
  stream.on("data", (chunk: Buffer) => {
    onChunk(chunk, hold);
    total += chunk.length;
    if (bytesPerSec > 0) {
      // Token bucket: pause until the bytes read so far are "due" at the configured rate.
      const wait = started + (total / bytesPerSec) * 1000 - performance.now();
      if (wait > 1) setTimeout(hold(), wait);
    }
  });
  stream.on("end", done);
}

/**
 * Starts the sink on 127.0.0.1 (ephemeral port): no STARTTLS, AUTH optional, no size limit,
 * no reverse lookup, every message accepted.
 *
 * @since 0.1.0
 */
export async function startSink(options: { greetingDelayMs?: number } = {}): Promise<Sink> {
  patchSmtpServer();
  greetingDelayMs = options.greetingDelayMs ?? 0;
  let mode: SinkMode = { store: "memory", sampleEvery: 1, sampleMax: 0, throttleBytesPerSec: 0 };
  let stored: StoredMessage[] = [];
  let queued = 0;

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    hideSTARTTLS: true,
    disableReverseLookup: true,
    logger: false,
    size: 0,
    onConnect(_session, callback) {
      counters.connections++;
      callback();
    },
    onData(stream: Readable, session: SMTPServerSession, callback) {
      const index = counters.messages++;
      const rcptCount = session.envelope.rcptTo.length;
      const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
      counters.recipients += rcptCount;
      const finish = () => {
        callback(null, `Ok: queued as B${++queued}`);
      };
      if (mode.store === "file" && mode.dir) {
        const file = join(mode.dir, `msg-${index}.eml`);
        const out = createWriteStream(file);
        stored.push({ file, rcptCount, mailFrom });
        drain(
          stream,
          mode.throttleBytesPerSec,
          (chunk, hold) => {
            counters.bytes += chunk.length;
            if (!out.write(chunk)) out.once("drain", hold());
          },
          () => out.end(finish),
        );
        return;
      }
      const keep = index % mode.sampleEvery === 0 && stored.length < mode.sampleMax;
      const chunks: Buffer[] = [];
      drain(
        stream,
        mode.throttleBytesPerSec,
        (chunk) => {
          counters.bytes += chunk.length;
          if (keep) chunks.push(chunk);
        },
        () => {
          if (keep) {
            stored.push({ raw: Buffer.concat(chunks).toString("base64"), rcptCount, mailFrom });
          }
          finish();
        },
      );
    },
  });
  server.on("error", () => {
    // A client that drops its socket mid-command is not a sink failure.
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.server.address();
  if (address === null || typeof address === "string") throw new Error("sink has no port");

  return {
    port: address.port,
    counters: () => structuredClone(counters),
    reset(next) {
      mode = next;
      stored = [];
      counters = emptyCounters();
    },
    stored: () => stored,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
