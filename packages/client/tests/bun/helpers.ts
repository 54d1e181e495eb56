// Helpers of the Bun suite (run by `bun test`, never by vitest).

import { createServer, type Socket } from "node:net";
import type { Connector, Transport } from "@smtp/core/transport-kit";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** UTF-8 bytes of `text`. */
export function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Reads whole SMTP replies through a transport's `read()`, keeping any surplus. */
export class ReplyReader {
  #pending = "";
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** The next reply: its code and its lines' text. */
  async next(): Promise<{ code: number; text: string }> {
    const lines: string[] = [];
    for (;;) {
      let end = this.#pending.indexOf("\r\n");
      while (end === -1) {
        const chunk = await this.#transport.read();
        if (chunk === null) throw new Error(`EOF inside a reply: ${JSON.stringify(this.#pending)}`);
        this.#pending += decoder.decode(chunk);
        end = this.#pending.indexOf("\r\n");
      }
      const line = this.#pending.slice(0, end);
      this.#pending = this.#pending.slice(end + 2);
      lines.push(line.slice(4));
      if (line[3] !== "-") return { code: Number(line.slice(0, 3)), text: lines.join("\n") };
    }
  }

  /** Bytes read beyond the last reply. */
  get surplus(): string {
    return this.#pending;
  }
}

/** Per transport a connector opened: how often it was closed and aborted. */
export interface Counts {
  closes: number;
  aborts: number;
}

/** Wraps `inner`, counting close/abort calls on every transport it opens. */
export function counting(inner: Connector): { connector: Connector; transports: Counts[] } {
  const transports: Counts[] = [];
  const connector: Connector = async (target, signal) => {
    const t = await inner(target, signal);
    const counts = { closes: 0, aborts: 0 };
    transports.push(counts);
    return {
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
  };
  return { connector, transports };
}

/** A loopback TCP server that accepts connections and never says a word. */
export async function startSilentServer(): Promise<{
  port: number;
  open(): number;
  close(): Promise<void>;
}> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    port,
    open: () => sockets.size,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Polls `condition` every 10 ms until it holds or `tries` run out; returns the last value. */
export async function eventually(condition: () => boolean, tries = 200): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return condition();
}
