import { SmtpError } from "@smtp/core";
import type { TlsOptions, Transport } from "@smtp/core/transport-kit";
import { check, delay, eventually, rejection, same, smtpError, stillPending } from "./check.ts";
import type { ConformanceOptions, RuntimeLimits, ServerConnection, TestServer } from "./harness.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = (text: string): Uint8Array => encoder.encode(text);

/** Anything with a pull `read()`: a transport or a server connection. */
interface Readable {
  read(): Promise<Uint8Array | null>;
}

/** Reads until the text read so far ends with `suffix`, or end-of-stream. */
async function readUntil(from: Readable, suffix: string): Promise<string> {
  let text = "";
  while (!text.endsWith(suffix)) {
    const chunk = await from.read();
    if (chunk === null) break;
    text += decoder.decode(chunk, { stream: true });
  }
  return text;
}

/** Reads to end-of-stream, checking each byte with `expect(offset, byte)`; the count read. */
async function drain(
  from: Readable,
  expect?: (offset: number, byte: number) => void,
): Promise<number> {
  let total = 0;
  for (let chunk = await from.read(); chunk !== null; chunk = await from.read()) {
    if (expect) for (let i = 0; i < chunk.byteLength; i++) expect(total + i, chunk[i] as number);
    total += chunk.byteLength;
  }
  return total;
}

/** What one case may open; everything is released after it, pass or fail. */
class Case {
  readonly #options: ConformanceOptions;
  readonly #servers: TestServer[] = [];
  readonly #transports: Transport[] = [];

  constructor(options: ConformanceOptions) {
    this.#options = options;
  }

  get harness(): ConformanceOptions["harness"] {
    return this.#options.harness;
  }

  get limits(): RuntimeLimits {
    return this.#options.limits ?? {};
  }

  async listen(tls?: "implicit"): Promise<TestServer> {
    const server = await this.harness.listen(tls ? { tls } : {});
    this.#servers.push(server);
    return server;
  }

  /** Connects to `server` and accepts the connection there. */
  async connect(
    server: TestServer,
    mode: "none" | "starttls" | "implicit" = "starttls",
    tls: TlsOptions = { ca: this.harness.caPem },
  ): Promise<{ transport: Transport; conn: ServerConnection }> {
    const accepting = server.accept();
    const transport = await this.open({ host: server.host, port: server.port, tls: mode }, tls);
    return { transport, conn: await accepting };
  }

  async open(
    target: { host: string; port: number; tls: "none" | "starttls" | "implicit" },
    tls: TlsOptions = { ca: this.harness.caPem },
    signal?: AbortSignal,
  ): Promise<Transport> {
    const transport = await this.#options.connector(tls)(target, signal);
    this.#transports.push(transport);
    return transport;
  }

  /** Aborts every transport, waits for each to be released, and closes the servers. Repeatable. */
  async release(): Promise<void> {
    const transports = this.#transports.splice(0);
    for (const transport of transports) transport.abort();
    await Promise.all(transports.map((t) => t.close()));
    await Promise.all(this.#servers.splice(0).map((s) => s.close()));
  }
}

type CaseBody = (c: Case) => Promise<void>;

/** Greets, answers STARTTLS with 220, and upgrades the server's side. */
async function goAhead(transport: Transport, conn: ServerConnection): Promise<void> {
  await conn.write(bytes("220 ready\r\n"));
  same(await readUntil(transport, "\r\n"), "220 ready\r\n", "greeting");
  await transport.write(bytes("STARTTLS\r\n"));
  same(await readUntil(conn, "\r\n"), "STARTTLS\r\n", "the server got STARTTLS");
  await conn.write(bytes("220 go ahead\r\n"));
  same(await readUntil(transport, "\r\n"), "220 go ahead\r\n", "go-ahead");
}

/**
 * The failure of a STARTTLS handshake: `startTls()`'s, or, where the runtime runs the
 * handshake with the first read or write, that write's (`startTls()` may then resolve).
 */
async function upgradeFailure(
  c: Case,
  transport: Transport,
  servername: string,
  what: string,
): Promise<unknown> {
  const upgrading = transport.startTls({ servername });
  if (!c.limits.handshakeOnFirstIo) return rejection(upgrading, what);
  try {
    await upgrading;
  } catch (error) {
    return error;
  }
  return rejection(transport.write(bytes("EHLO client.test\r\n")), `${what}: the first write`);
}

/** The failure of an implicit-TLS connection to an untrusted server (see {@link upgradeFailure}). */
async function implicitFailure(c: Case, server: TestServer, what: string): Promise<unknown> {
  const connecting = c.open({ host: server.host, port: server.port, tls: "implicit" }, {});
  if (!c.limits.handshakeOnFirstIo) return rejection(connecting, what);
  const transport = await connecting;
  return rejection(transport.write(bytes("EHLO client.test\r\n")), `${what}: the first write`);
}

/** A ping-pong inside the (upgraded) connection. */
async function exchange(transport: Transport, conn: ServerConnection): Promise<void> {
  await transport.write(bytes("EHLO client.test\r\n"));
  same(await readUntil(conn, "\r\n"), "EHLO client.test\r\n", "the server got EHLO");
  await conn.write(bytes("250 hello\r\n"));
  same(await readUntil(transport, "\r\n"), "250 hello\r\n", "the client got 250");
}

const CASES: [string, CaseBody][] = [
  [
    "moves bytes both ways; the server's end reads as null (half-close); close() ends the client's side",
    async (c) => {
      const server = await c.listen();
      const { transport, conn } = await c.connect(server, "none");
      same(transport.secure, false, "secure on a plaintext connection");
      await conn.write(bytes("220 hello\r\n"));
      same(await readUntil(transport, "\r\n"), "220 hello\r\n", "greeting");
      await transport.write(bytes("QUIT\r\n"));
      same(await readUntil(conn, "\r\n"), "QUIT\r\n", "the server got QUIT");
      await conn.write(bytes("221 bye\r\n"));
      await conn.end();
      same(await readUntil(transport, "\r\n"), "221 bye\r\n", "the reply before the end");
      same(await transport.read(), null, "read() after the server's end");
      same(await transport.read(), null, "read() again after the end");
      await transport.close();
      same(await conn.read(), null, "the server sees the client's end");
    },
  ],
  [
    "closeWrite() after QUIT: the server reads QUIT, then the client's end; the client still reads, later writes reject",
    async (c) => {
      const server = await c.listen();
      const { transport, conn } = await c.connect(server, "none");
      await transport.write(bytes("QUIT\r\n"));
      same(await readUntil(conn, "\r\n"), "QUIT\r\n", "the server got QUIT");
      await conn.write(bytes("221 bye\r\n"));
      check(typeof transport.closeWrite === "function", "the transport has closeWrite()");
      await transport.closeWrite?.();
      same(await conn.read(), null, "the server sees the client's end");
      same(await readUntil(transport, "\r\n"), "221 bye\r\n", "the reply, read after closeWrite()");
      await conn.end();
      same(await transport.read(), null, "read() after the server's end");
      const late = await rejection(
        transport.write(bytes("NOOP\r\n")),
        "a write after closeWrite()",
      );
      smtpError(late, { kind: "connection" }, "a write after closeWrite()");
      await transport.close();
    },
  ],
  [
    "one read at a time: a second concurrent read() rejects, the first still gets the data",
    async (c) => {
      const server = await c.listen();
      const { transport, conn } = await c.connect(server, "none");
      const first = transport.read();
      const second = await rejection(transport.read(), "a second concurrent read()");
      check(second instanceof Error, "the second read() rejects with an Error");
      await conn.write(bytes("220 hi\r\n"));
      const chunk = await first;
      check(
        chunk !== null && decoder.decode(chunk).startsWith("220"),
        "the first read() gets data",
      );
    },
  ],
  [
    "back-pressure on writes: write() waits while the server reads nothing, and everything arrives",
    async (c) => {
      const server = await c.listen();
      const { transport, conn } = await c.connect(server, "none");
      const block = new Uint8Array(256 * 1024).fill(0x61);
      let written = 0;
      let blocked: Promise<void> | undefined;
      // Kernel buffers absorb a few MiB; past them a write must wait for the reader.
      // A write slow for another reason (a loaded machine) is not taken for one that waits.
      for (let i = 0; i < 256 && blocked === undefined; i++) {
        const write = transport.write(block);
        written += block.byteLength;
        if ((await stillPending(write)) && (await stillPending(write, 100))) blocked = write;
      }
      check(blocked !== undefined, `write() never waited after ${written} unread bytes`);
      const reading = drain(conn);
      await blocked;
      await transport.close();
      same(await reading, written, "bytes the server received");
    },
  ],
  [
    "write release: a buffer reused as soon as write() resolves never changes what is sent",
    async (c) => {
      const server = await c.listen();
      const { transport, conn } = await c.connect(server, "none");
      const size = 64 * 1024;
      const rounds = 96;
      let wrong = -1;
      const reading = drain(conn, (offset, byte) => {
        if (wrong < 0 && byte !== Math.floor(offset / size) % 251) wrong = offset;
      });
      const buffer = new Uint8Array(size);
      for (let round = 0; round < rounds; round++) {
        buffer.fill(round % 251);
        await transport.write(buffer);
      }
      buffer.fill(0xff);
      await transport.close();
      same(await reading, size * rounds, "bytes the server received");
      same(wrong, -1, "first offset whose byte changed after its write() resolved");
    },
  ],
  [
    "back-pressure on reads: a client that reads nothing holds the server back, then gets it all",
    async (c) => {
      const server = await c.listen();
      const { transport, conn } = await c.connect(server, "none");
      const block = new Uint8Array(64 * 1024).fill(0x62);
      const total = 64 * 1024 * 1024;
      let sent = 0;
      const sending = (async () => {
        while (sent < total) {
          await conn.write(block);
          sent += block.byteLength;
        }
        await conn.end();
      })();
      // Wait until the server stalls: the transport must not read everything into memory.
      let last = -1;
      for (let i = 0; i < 200 && sent !== last; i++) {
        last = sent;
        await delay(50);
      }
      same(sent, last, "bytes the server sent, once it stalled");
      check(sent < total, `the server sent all ${total} bytes to a client that read none`);
      same(await drain(transport), total, "bytes the client read");
      await sending;
    },
  ],
  [
    "STARTTLS upgrades the same connection, verifying the certificate; bytes then flow inside TLS",
    async (c) => {
      const server = await c.listen();
      const { transport, conn } = await c.connect(server, "starttls");
      const remote = transport.remoteAddress;
      await goAhead(transport, conn);
      await Promise.all([conn.startTls(), transport.startTls({ servername: "localhost" })]);
      same(transport.secure, true, "secure after startTls");
      same(transport.remoteAddress, remote, "the remote address after startTls");
      await exchange(transport, conn);
      same(server.accepted, 1, "connections the server accepted");
      const again = await rejection(
        transport.startTls({ servername: "localhost" }),
        "a second startTls",
      );
      check(again instanceof Error, "a second startTls rejects");
    },
  ],
  [
    "STARTTLS to a certificate for another name fails with kind tls and ends the connection",
    async (c) => {
      const server = await c.listen();
      const { transport, conn } = await c.connect(server, "starttls");
      await goAhead(transport, conn);
      conn.startTls().catch(() => {});
      const error = smtpError(
        await upgradeFailure(c, transport, "wrong-name.example.test", "startTls with a wrong name"),
        { kind: "tls", retryable: false },
        "a certificate for another name",
      );
      check(error.detail !== undefined, "a certificate failure has a detail");
      if (!c.limits.handshakeOnFirstIo)
        same(transport.secure, false, "secure after a failed upgrade");
      same(
        await rejection(transport.write(bytes("x")), "write after a failed upgrade"),
        error,
        "the write after a failed upgrade rejects with the same error",
      );
      same(await rejection(transport.read(), "read after a failed upgrade"), error, "read");
    },
  ],
  [
    "STARTTLS: plaintext sent after the go-ahead is never read as TLS (starttls-injection)",
    async (c) => {
      const server = await c.listen();
      const { transport, conn } = await c.connect(server, "starttls");
      await goAhead(transport, conn);
      // Bytes after the 220, before any handshake: buffered by the transport or met by
      // its TLS layer, they must fail the upgrade, never come out of read() after it.
      await conn.write(bytes("250 injected\r\n"));
      await delay(20);
      const error = await upgradeFailure(c, transport, "localhost", "startTls after injection");
      if (c.limits.handshakeOnFirstIo) {
        // The TLS layer met the plaintext where the server's handshake should be.
        smtpError(error, { kind: "tls", retryable: false }, "plaintext before the handshake");
        return;
      }
      smtpError(
        error,
        { kind: "protocol", detail: "starttls-injection", retryable: false },
        "plaintext before the handshake",
      );
      same(transport.secure, false, "secure after a refused upgrade");
    },
  ],
  [
    "STARTTLS to a certificate from an untrusted CA fails with kind tls",
    async (c) => {
      const server = await c.listen();
      const { transport, conn } = await c.connect(server, "starttls", {});
      await goAhead(transport, conn);
      conn.startTls().catch(() => {});
      smtpError(
        await upgradeFailure(c, transport, "localhost", "startTls, untrusted"),
        { kind: "tls", retryable: false },
        "an untrusted certificate",
      );
    },
  ],
  [
    "implicit TLS: the handshake is done and verified before the connector resolves",
    async (c) => {
      const server = await c.listen("implicit");
      const { transport, conn } = await c.connect(server, "implicit");
      same(transport.secure, true, "secure with implicit TLS");
      await exchange(transport, conn);
      const refused = await implicitFailure(c, server, "implicit TLS, untrusted");
      smtpError(refused, { kind: "tls", retryable: false }, "implicit TLS, untrusted");
    },
  ],
  [
    "a refused connection is kind connection, detail ECONNREFUSED, retryable",
    async (c) => {
      const port = await c.harness.refusedPort();
      const error = await rejection(
        c.open({ host: "127.0.0.1", port, tls: "none" }),
        "connecting to a closed port",
      );
      const detail = c.limits.refusedDetail ?? "ECONNREFUSED";
      smtpError(error, { kind: "connection", detail, retryable: true }, "refused");
      check((error as SmtpError).cause !== undefined, "the runtime's error is kept as cause");
    },
  ],
  [
    "a reset is kind connection, detail ECONNRESET; later operations repeat the error",
    async (c) => {
      const server = await c.listen();
      const { transport, conn } = await c.connect(server, "none");
      const pending = transport.read();
      await delay(10);
      conn.reset();
      const error = smtpError(
        await rejection(pending, "read across a reset"),
        { kind: "connection", detail: "ECONNRESET", retryable: true },
        "reset",
      );
      same(await rejection(transport.read(), "read after a reset"), error, "read after reset");
      same(await rejection(transport.write(bytes("x")), "write after reset"), error, "write");
      await transport.close();
    },
  ],
  [
    "abort() is idempotent: the pending read gets null, writes reject, the server sees the end",
    async (c) => {
      const server = await c.listen();
      const { transport, conn } = await c.connect(server, "none");
      const pending = transport.read();
      const reason = new SmtpError({ kind: "timeout", phase: "command", message: "deadline" });
      transport.abort(reason);
      transport.abort(new Error("again"));
      same(await pending, null, "the read pending at abort()");
      same(await transport.read(), null, "read() after abort()");
      smtpError(
        await rejection(transport.write(bytes("x")), "write after abort"),
        { kind: "connection" },
        "write after abort()",
      );
      await transport.close();
      await transport.close();
      const end = await conn.read().catch(() => null);
      same(end, null, "the server's read after the client's abort");
    },
  ],
  [
    "close() releases everything: no socket, timer or operation is left, and it may repeat",
    async (c) => {
      const before = c.harness.resources?.();
      const server = await c.listen();
      const { transport, conn } = await c.connect(server, "none");
      const pending = transport.read();
      await transport.write(bytes("QUIT\r\n"));
      // close() may wait for the server to close its side too: the server reads meanwhile.
      const closing = transport.close();
      same(await pending, null, "the read pending at close()");
      same(await readUntil(conn, "\r\n"), "QUIT\r\n", "what was written before close()");
      same(await conn.read(), null, "the server sees the client's end");
      await closing;
      await transport.close();
      transport.abort();
      smtpError(
        await rejection(transport.write(bytes("x")), "write after close"),
        { kind: "connection" },
        "write after close()",
      );
      same(await transport.read(), null, "read() after close()");
      await c.release();
      if (before) await sameResources(c, before);
    },
  ],
  [
    "the caller's signal ends a connect or handshake that never completes, leaving nothing",
    async (c) => {
      const before = c.harness.resources?.();
      const server = await c.listen();
      const controller = new AbortController();
      const deadline = new SmtpError({ kind: "timeout", phase: "connect", message: "deadline" });
      const accepting = server.accept();
      // A plaintext server that never answers the ClientHello: the handshake never completes.
      const connecting = c.open(
        { host: server.host, port: server.port, tls: "implicit" },
        { ca: c.harness.caPem },
        controller.signal,
      );
      if (!c.limits.handshakeOnFirstIo) {
        await accepting;
        check(await stillPending(connecting), "the handshake with a silent server is pending");
      }
      // With the handshake on the first read or write, the signal ends the connect itself.
      controller.abort(deadline);
      same(await rejection(connecting, "connect after abort"), deadline, "the rejection");
      const early = await rejection(
        c.open({ host: server.host, port: server.port, tls: "none" }, {}, controller.signal),
        "connect with an aborted signal",
      );
      same(early, deadline, "an already aborted signal rejects with its reason");
      await c.release();
      if (before) await sameResources(c, before);
    },
  ],
];

/** Waits (up to 5 s: handles close in a later turn) until the runtime's resources are back to `before`. */
async function sameResources(c: Case, before: Record<string, number>): Promise<void> {
  const probe = (): boolean => {
    const now = c.harness.resources?.() ?? {};
    return Object.keys({ ...before, ...now }).every((key) =>
      // Test runners keep timers of their own that come and go.
      key === "Timeout" ? (now[key] ?? 0) <= (before[key] ?? 0) : now[key] === before[key],
    );
  };
  await eventually(
    probe,
    5000,
    `resources left: ${JSON.stringify(c.harness.resources?.())}, before ${JSON.stringify(before)}`,
  );
}

/**
 * The transport conformance suite: registers one test per behaviour every `@smtp`
 * transport must have, with the runner's test function. A transport package calls it from
 * a test file its own runtime runs (vitest on Node, `bun test`, `deno test`, workerd …):
 *
 * ```ts
 * runTransportConformance({
 *   name: "@smtp/transport-node",
 *   connector: (tls) => nodeConnector({ tls }),
 *   harness: await nodeNetHarness(certificates),
 *   test: it,
 * });
 * ```
 */
export function runTransportConformance(options: ConformanceOptions): void {
  for (const [title, body] of CASES) {
    options.test(`${options.name} conformance: ${title}`, async () => {
      const c = new Case(options);
      try {
        await body(c);
      } finally {
        await c.release();
      }
    });
  }
}

/** The titles of the cases, in order (for a runner that wants to list them). */
export const CONFORMANCE_CASES: readonly string[] = CASES.map(([title]) => title);
