// A scripted stand-in for the Deno network API, so the transport's logic runs under vitest.
import type {
  DenoApi,
  DenoConnectOptions,
  DenoStartTlsOptions,
  DenoTlsConn,
} from "../src/deno-api.ts";

function badResource(): Error {
  const error = new Error("Bad resource ID");
  error.name = "BadResource";
  return error;
}

/** A connection whose reads are fed by the test and whose writes are recorded. */
export class FakeConn implements DenoTlsConn {
  readonly localAddr = { transport: "tcp" as const, hostname: "127.0.0.1", port: 50000 };
  readonly remoteAddr = { transport: "tcp" as const, hostname: "127.0.0.1", port: 25 };
  readonly written: Uint8Array[] = [];
  closed = false;
  /** `closeWrite()` was called: later writes fail as Deno's do. */
  writeClosed = false;
  /** At most this many bytes are accepted per write call. */
  maxWrite = Number.POSITIVE_INFINITY;
  noDelay: boolean | undefined;
  handshakeResult: Promise<unknown> = Promise.resolve({ alpnProtocol: null });
  #reader:
    | { resolve(n: number | null): void; reject(e: unknown): void; buffer: Uint8Array }
    | undefined;
  #inbox: (Uint8Array | null | Error)[] = [];

  /** Queues what the next read returns: bytes, end-of-stream, or an error. */
  feed(item: Uint8Array | null | Error): void {
    this.#inbox.push(item);
    this.#deliver();
  }

  get readPending(): boolean {
    return this.#reader !== undefined;
  }

  read(buffer: Uint8Array): Promise<number | null> {
    if (this.closed) return Promise.reject(badResource());
    return new Promise((resolve, reject) => {
      this.#reader = { resolve, reject, buffer };
      this.#deliver();
    });
  }

  #deliver(): void {
    const reader = this.#reader;
    if (!reader || this.#inbox.length === 0) return;
    const item = this.#inbox.shift() as Uint8Array | null | Error;
    this.#reader = undefined;
    if (item === null) reader.resolve(null);
    else if (item instanceof Error) reader.reject(item);
    else {
      reader.buffer.set(item.subarray(0, reader.buffer.length));
      reader.resolve(Math.min(item.length, reader.buffer.length));
    }
  }

  async write(bytes: Uint8Array): Promise<number> {
    if (this.closed) throw badResource();
    if (this.writeClosed) {
      const error = new Error("Broken pipe (os error 32)");
      error.name = "BrokenPipe";
      throw error;
    }
    const n = Math.min(bytes.length, this.maxWrite);
    this.written.push(bytes.slice(0, n));
    return n;
  }

  async closeWrite(): Promise<void> {
    if (this.closed) throw badResource();
    this.writeClosed = true;
  }

  close(): void {
    if (this.closed) throw badResource();
    this.closed = true;
    const reader = this.#reader;
    this.#reader = undefined;
    if (reader) {
      const interrupted = new Error("operation canceled");
      interrupted.name = "Interrupted";
      reader.reject(interrupted);
    }
  }

  setNoDelay(noDelay?: boolean): void {
    this.noDelay = noDelay;
  }

  handshake(): Promise<unknown> {
    return this.handshakeResult;
  }

  /** Everything written, as text. */
  text(): string {
    return this.written.map((b) => new TextDecoder().decode(b)).join("");
  }
}

/** Records every call; each connect/connectTls/startTls returns the next scripted result. */
export class FakeDeno implements DenoApi {
  readonly calls: { fn: string; options: unknown }[] = [];
  connectResult: () => Promise<FakeConn> = async () => new FakeConn();
  connectTlsResult: () => Promise<FakeConn> = async () => new FakeConn();
  startTlsResult: (conn: FakeConn) => Promise<FakeConn> = async () => new FakeConn();

  connect(options: DenoConnectOptions): Promise<FakeConn> {
    this.calls.push({ fn: "connect", options });
    return this.connectResult();
  }

  connectTls(options: unknown): Promise<FakeConn> {
    this.calls.push({ fn: "connectTls", options });
    return this.connectTlsResult();
  }

  startTls(conn: FakeConn, options: DenoStartTlsOptions): Promise<FakeConn> {
    this.calls.push({ fn: "startTls", options });
    return this.startTlsResult(conn);
  }
}
