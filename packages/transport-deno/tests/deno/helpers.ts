// Test helpers for the Deno suite: in-test servers on loopback, fixtures, small I/O utils.
// Everything a test opens it also closes, so Deno's resource and op sanitizers stay on.

const fixtures = new URL("../fixtures/", import.meta.url);

/** The test CA (PEM) that signed the localhost certificate. */
export const caPem: string = Deno.readTextFileSync(new URL("ca.pem", fixtures));
/** A CA:FALSE leaf for localhost, 127.0.0.1 and ::1. */
export const leafCertPem: string = Deno.readTextFileSync(new URL("localhost-cert.pem", fixtures));
/** The leaf's private key. */
export const leafKeyPem: string = Deno.readTextFileSync(new URL("localhost-key.pem", fixtures));

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** UTF-8 bytes of `text`. */
export function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Text of `data`. */
export function text(data: Uint8Array): string {
  return decoder.decode(data);
}

/** Reads from `conn` until the text read so far ends with `suffix` (or EOF). */
export async function readUntil(
  read: () => Promise<Uint8Array | null>,
  suffix: string,
): Promise<string> {
  let seen = "";
  while (!seen.endsWith(suffix)) {
    const chunk = await read();
    if (chunk === null) break;
    seen += text(chunk);
  }
  return seen;
}

/** The server side of one exchange: it gets the accepted connection and returns when done. */
export type ServerScript = (conn: Deno.Conn) => Promise<void>;

/**
 * Listens on `hostname` (127.0.0.1 by default, port 0), accepts one connection and runs `script` on it.
 * `done` settles when the script has finished and every server resource is closed.
 */
export function serveOnce(
  script: ServerScript,
  tls?: { cert: string; key: string },
  hostname: "127.0.0.1" | "::1" = "127.0.0.1",
): { port: number; done: Promise<void> } {
  const listener = tls
    ? Deno.listenTls({ hostname, port: 0, cert: tls.cert, key: tls.key })
    : Deno.listen({ hostname, port: 0 });
  const port = listener.addr.port;
  const done = (async () => {
    try {
      const conn = await listener.accept();
      try {
        await script(conn);
      } finally {
        try {
          conn.close();
        } catch {
          // already closed by the script
        }
      }
    } finally {
      listener.close();
    }
  })();
  return { port, done };
}

/** Reads from a raw server connection until `suffix` arrives. */
export function serverReadUntil(conn: Deno.Conn, suffix: string): Promise<string> {
  const buffer = new Uint8Array(4096);
  return readUntil(async () => {
    const n = await conn.read(buffer);
    return n === null ? null : buffer.slice(0, n);
  }, suffix);
}

/** Writes all of `data` to a raw server connection. */
export async function serverWrite(conn: Deno.Conn, data: string | Uint8Array): Promise<void> {
  const all = typeof data === "string" ? bytes(data) : data;
  let offset = 0;
  while (offset < all.length) offset += await conn.write(all.subarray(offset));
}

/** The smtp-server peers started by `tests/with-smtp-peers.ts`. */
export interface PeerEnv {
  host: string;
  starttlsPort: number;
  smtpsPort: number;
  caPem: string;
  user: string;
  pass: string;
  /** Goes into an `X-Test-Run` header so the runner can count what arrived. */
  runId: string;
}

/** The peers' settings; throws when the suite was not started through the runner. */
export function peerEnv(): PeerEnv {
  const get = (name: string): string => {
    const value = Deno.env.get(name);
    if (!value) {
      throw new Error(
        `${name} is not set: run this suite through packages/transport-deno/tests/with-smtp-peers.ts (see its README)`,
      );
    }
    return value;
  };
  return {
    host: get("SMTP_PEER_HOST"),
    starttlsPort: Number(get("SMTP_PEER_STARTTLS_PORT")),
    smtpsPort: Number(get("SMTP_PEER_SMTPS_PORT")),
    caPem: get("SMTP_PEER_CA_PEM"),
    user: get("SMTP_PEER_USER"),
    pass: get("SMTP_PEER_PASS"),
    runId: get("SMTP_PEER_RUN_ID"),
  };
}

/** Reads one complete SMTP reply (all its lines) through `read`, keeping any surplus. */
export class ReplyReader {
  #pending = "";
  readonly #read: () => Promise<Uint8Array | null>;

  constructor(read: () => Promise<Uint8Array | null>) {
    this.#read = read;
  }

  /** The next reply: its code and its lines' text. */
  async next(): Promise<{ code: number; text: string }> {
    const lines: string[] = [];
    for (;;) {
      let end = this.#pending.indexOf("\r\n");
      while (end === -1) {
        const chunk = await this.#read();
        if (chunk === null) throw new Error(`EOF inside a reply: ${JSON.stringify(this.#pending)}`);
        this.#pending += text(chunk);
        end = this.#pending.indexOf("\r\n");
      }
      const line = this.#pending.slice(0, end);
      this.#pending = this.#pending.slice(end + 2);
      lines.push(line.slice(4));
      if (line[3] !== "-") return { code: Number(line.slice(0, 3)), text: lines.join("\n") };
    }
  }

  /** Whether bytes beyond the last reply were read. */
  get surplus(): string {
    return this.#pending;
  }
}
