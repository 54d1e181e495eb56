import { createServer, type Server, type Socket } from "node:net";
import { SmtpError } from "@smtp/core";
import type { Connector, Transport } from "@smtp/core/transport-kit";
import { nodeConnector } from "@smtp/transport-node";
import { simpleParser } from "mailparser";
import { expect } from "vitest";

/** Counts, per transport a connector opened, how often it was closed and aborted (R13). */
export interface CountingConnector {
  connector: Connector;
  transports: { closes: number; aborts: number }[];
}

/** Wraps the Node connector and counts close/abort calls on every transport it opens. */
export function countingConnector(tls?: { ca?: string }): CountingConnector {
  const inner = nodeConnector(tls ? { tls } : {});
  const transports: { closes: number; aborts: number }[] = [];
  const connector: Connector = async (target, signal) => {
    const t = await inner(target, signal);
    const counts = { closes: 0, aborts: 0 };
    transports.push(counts);
    const wrapped: Transport = {
      read: () => t.read(),
      write: (b) => t.write(b),
      startTls: (o) => t.startTls(o),
      close: () => {
        counts.closes++;
        return t.close();
      },
      abort: (reason) => {
        counts.aborts++;
        t.abort(reason);
      },
      get secure() {
        return t.secure;
      },
      get localAddress() {
        return t.localAddress;
      },
      get remoteAddress() {
        return t.remoteAddress;
      },
    };
    return wrapped;
  };
  return { connector, transports };
}

/** Sockets and timers alive in this process, by kind. */
export function liveHandles(): { sockets: number; timers: number } {
  let sockets = 0;
  let timers = 0;
  for (const name of process.getActiveResourcesInfo()) {
    if (name === "TCPSocketWrap" || name === "TLSWrap") sockets++;
    if (name === "Timeout") timers++;
  }
  return { sockets, timers };
}

/**
 * Live handles once the servers' ends have seen the client's close: polls (bounded) until
 * no more sockets or timers than `base` are alive, then returns what is left. A socket or
 * timer the client leaks never goes away, so the caller's comparison still fails.
 */
export async function settledHandles(base: { sockets: number; timers: number }) {
  let now = liveHandles();
  for (let i = 0; i < 100 && (now.sockets > base.sockets || now.timers > base.timers); i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    now = liveHandles();
  }
  return now;
}

/** A TCP server on loopback that accepts connections and never says a word. */
export function startSilentServer(
  host = "127.0.0.1",
): Promise<{ port: number; close(): Promise<void> }> {
  return listenLoopback(() => {}, host);
}

/**
 * Listens on an ephemeral port of `host` and hands each connection to `onSocket`;
 * `close()` destroys the open sockets and stops the server.
 */
async function listenLoopback(
  onSocket: (socket: Socket) => void,
  host = "127.0.0.1",
  allowHalfOpen = false,
): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer({ allowHalfOpen }, (socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Runs `f`, which must throw an `invalid-input` {@link SmtpError}, and returns that error. */
export function expectInvalidInput(f: () => unknown): SmtpError {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(SmtpError);
    expect((error as SmtpError).kind).toBe("invalid-input");
    return error as SmtpError;
  }
  throw new Error("expected an invalid-input SmtpError");
}

/** Awaits a promise that must reject with an {@link SmtpError}, and returns that error. */
export async function expectSmtpError(promise: Promise<unknown>): Promise<SmtpError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SmtpError);
  return error as SmtpError;
}

/** Parses a received message with mailparser. */
export function parse(raw: Uint8Array) {
  return simpleParser(Buffer.from(raw));
}

/**
 * A minimal scripted SMTP server on loopback: greets, then answers each client line with
 * `answer(line)`; `undefined` means say nothing (a server that falls silent). Lines after
 * DATA's 354 are swallowed up to the lone dot, which is then answered like a command ".".
 * With `onEnd`, the server's side stays open when the client ends its own (a half-close),
 * and `onEnd` is called then.
 */
export function startScriptedServer(
  answer: (line: string) => string | undefined,
  greeting: string | undefined = "220 scripted.example.test ESMTP",
  onEnd?: (socket: Socket) => void,
): Promise<{ port: number; close(): Promise<void> }> {
  return listenLoopback(
    (socket) => {
      if (onEnd) socket.on("end", () => onEnd(socket));
      if (greeting !== undefined) socket.write(`${greeting}\r\n`);
      let buffer = "";
      let inData = false;
      socket.on("data", (chunk: Buffer) => {
        buffer += chunk.toString("latin1");
        for (let i = buffer.indexOf("\r\n"); i >= 0; i = buffer.indexOf("\r\n")) {
          const line = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          if (inData && line !== ".") continue;
          if (inData) inData = false;
          const reply = answer(line);
          if (reply?.startsWith("354")) inData = true;
          if (reply !== undefined) socket.write(`${reply}\r\n`);
        }
      });
    },
    "127.0.0.1",
    onEnd !== undefined,
  );
}

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

/**
 * What must never appear in a transcript or log (R10): the secret, its base64, the PLAIN
 * blob, the secret's base64 at each of the three alignments inside a longer blob, and the
 * XOAUTH2 payload.
 */
export function forbiddenSecrets(user: string, secret: string): string[] {
  const out = [secret, b64(secret), b64(`\0${user}\0${secret}`), b64(`${user}\0${secret}`)];
  for (let offset = 0; offset < 3; offset++) {
    const shifted = b64("x".repeat(offset) + secret);
    out.push(shifted.slice(Math.ceil((offset * 4) / 3) + 2, -2));
  }
  out.push(b64(`user=${user}\x01auth=Bearer ${secret}\x01\x01`));
  return out.filter((s) => s.length >= 6);
}
