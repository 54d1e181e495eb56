// The tunnel over in-memory connections, with the test playing the proxy byte by byte: what
// the client sends, how each answer is read, and how every failure is reported. The real
// proxies (Dante, tinyproxy) are in packages/client/test/proxy.test.ts.
import { SmtpError } from "@smtp/core";
import {
  type Connector,
  type ConnectTarget,
  type MemoryTransport,
  memoryTransportPair,
  type Transport,
} from "@smtp/core/transport-kit";
import { describe, expect, it } from "vitest";
import { httpProxy, socksProxy } from "../src/index.ts";

const encoder = new TextEncoder();
const bytes = (text: string) => encoder.encode(text);
const text = (data: Uint8Array | null) => (data === null ? null : new TextDecoder().decode(data));

/** A connector to an in-memory "proxy": the test gets the proxy's end of each connection. */
function memoryNetwork(options: { certificateNames?: string[] } = {}) {
  const ends: MemoryTransport[] = [];
  const targets: ConnectTarget[] = [];
  let waiting: ((end: MemoryTransport) => void) | undefined;
  const connector: Connector = async (target) => {
    targets.push(target);
    const pair = memoryTransportPair({
      peer: { host: target.host, port: target.port },
      certificateNames: options.certificateNames ?? ["mail.example.test"],
    });
    ends.push(pair.server);
    waiting?.(pair.server);
    waiting = undefined;
    return pair.client;
  };
  const next = (): Promise<MemoryTransport> =>
    ends.length > 0
      ? Promise.resolve(ends.shift() as MemoryTransport)
      : new Promise((resolve) => {
          waiting = resolve;
        });
  return { connector, next, targets };
}

/** Reads exactly `count` bytes from the proxy's end. */
async function readBytes(end: Transport, count: number): Promise<number[]> {
  const out: number[] = [];
  while (out.length < count) {
    const chunk = await end.read();
    if (chunk === null) throw new Error(`the client ended after ${out.length} bytes`);
    out.push(...chunk);
  }
  expect(out).toHaveLength(count);
  return out;
}

async function readHead(end: Transport): Promise<string> {
  let head = "";
  while (!head.endsWith("\r\n\r\n")) head += text(await end.read());
  return head;
}

async function rejection(promise: Promise<unknown>): Promise<SmtpError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SmtpError);
  return error as SmtpError;
}

const target = (tls: ConnectTarget["tls"] = "starttls"): ConnectTarget => ({
  host: "mail.example.test",
  port: 587,
  tls,
});

/** The proxy's side of a SOCKS5 handshake without authentication; resolves with the request. */
async function socksAccept(end: Transport, reply = 0, extra = ""): Promise<number[]> {
  expect(await readBytes(end, 3)).toEqual([5, 1, 0]);
  await end.write(Uint8Array.of(5, 0));
  const request = await readBytes(end, 5 + 17 + 2);
  await end.write(Uint8Array.of(5, reply, 0, 1, 127, 0, 0, 1, 0x1f, 0x90, ...bytes(extra)));
  return request;
}

describe("socksProxy over a connection", () => {
  it("connects to the proxy, asks for the mail server by name, and reads its greeting first", async () => {
    const net = memoryNetwork();
    const connect = socksProxy({ host: "proxy.test", port: 1080 })(net.connector);
    const opening = connect(target());
    const end = await net.next();
    const request = await socksAccept(end, 0, "220 mail.example.test ESMTP\r\n");
    expect(request).toEqual([5, 1, 0, 3, 17, ...bytes("mail.example.test"), 2, 75]);
    expect(net.targets).toEqual([{ host: "proxy.test", port: 1080, tls: "starttls" }]);
    const transport = await opening;
    expect(transport.secure).toBe(false);
    expect(transport.remoteAddress).toBeUndefined();
    expect(text(await transport.read())).toBe("220 mail.example.test ESMTP\r\n");
    await transport.write(bytes("EHLO client\r\n"));
    expect(text(await end.read())).toBe("EHLO client\r\n");
    const closing = transport.close();
    expect(await end.read()).toBeNull();
    await end.close();
    await closing;
  });

  it("closeWrite() ends the tunnel's sending direction: the proxy reads null, its reply still comes", async () => {
    const net = memoryNetwork();
    const connect = socksProxy({ host: "proxy.test", port: 1080 })(net.connector);
    const opening = connect(target());
    const end = await net.next();
    await socksAccept(end, 0, "220 mail.example.test ESMTP\r\n");
    const transport = await opening;
    expect(text(await transport.read())).toBe("220 mail.example.test ESMTP\r\n");
    await transport.write(bytes("QUIT\r\n"));
    await transport.closeWrite?.();
    expect(text(await end.read())).toBe("QUIT\r\n");
    expect(await end.read()).toBeNull();
    await end.write(bytes("221 bye\r\n"));
    await end.close();
    expect(text(await transport.read())).toBe("221 bye\r\n");
    expect(await transport.read()).toBeNull();
    await transport.close();
  });

  it("sends the user name and password (RFC 1929) when the proxy picks that method", async () => {
    const net = memoryNetwork();
    const connect = socksProxy({ host: "proxy.test", user: "me", pass: "pässwort" })(net.connector);
    const opening = connect(target("none"));
    const end = await net.next();
    expect(net.targets[0]).toMatchObject({ port: 1080, tls: "none" });
    expect(await readBytes(end, 4)).toEqual([5, 2, 0, 2]);
    await end.write(Uint8Array.of(5, 2));
    const pass = [...bytes("pässwort")];
    expect(await readBytes(end, 3 + 2 + pass.length)).toEqual([
      1,
      2,
      109,
      101,
      pass.length,
      ...pass,
    ]);
    await end.write(Uint8Array.of(1, 0));
    await readBytes(end, 24);
    await end.write(Uint8Array.of(5, 0, 0, 4, ...new Array(16).fill(0), 0, 25));
    const transport = await opening;
    transport.abort();
  });

  it.each([
    ["a refused password", [5, 2], [1, 1], "refused the user name and password"],
    ["no acceptable method", [5, 0xff], undefined, "accepts neither"],
  ])("%s is proxy-auth, not retryable", async (_name, choice, status, message) => {
    const net = memoryNetwork();
    const connect = socksProxy({ host: "proxy.test", user: "me", pass: "pw" })(net.connector);
    const opening = connect(target());
    const end = await net.next();
    await readBytes(end, 4);
    await end.write(Uint8Array.from(choice));
    if (status) {
      await readBytes(end, 7);
      await end.write(Uint8Array.from(status));
    }
    const error = await rejection(opening);
    expect(error).toMatchObject({ kind: "connection", detail: "proxy-auth", retryable: false });
    expect(error.message).toContain(message);
    expect(error.message).toContain("SOCKS5 proxy proxy.test:1080");
    // The connection to the proxy is dropped.
    await expect(end.read()).rejects.toMatchObject({ detail: "ECONNRESET" });
  });

  it("a proxy that demands credentials nobody gave says so", async () => {
    const net = memoryNetwork();
    const opening = socksProxy({ host: "proxy.test" })(net.connector)(target());
    const end = await net.next();
    await readBytes(end, 3);
    await end.write(Uint8Array.of(5, 0xff));
    expect((await rejection(opening)).message).toMatch(
      /requires authentication: give its user and pass/,
    );
  });

  it.each([
    [5, "connection refused", true],
    [2, "connection not allowed by ruleset", false],
    [4, "host unreachable", true],
    [9, "reply code 9", false],
  ])("reply %i is proxy-refused (%s), retryable %s", async (code, meaning, retryable) => {
    const net = memoryNetwork();
    const opening = socksProxy({ host: "proxy.test" })(net.connector)(target());
    await socksAccept(await net.next(), code);
    const error = await rejection(opening);
    expect(error).toMatchObject({ kind: "connection", detail: "proxy-refused", retryable });
    expect(error.message).toBe(
      `the SOCKS5 proxy proxy.test:1080 could not connect to mail.example.test:587: ${meaning}`,
    );
  });

  it.each([
    ["a SOCKS4 answer", [0, 0x5a]],
    ["an HTTP answer", [...bytes("HTTP/1.1 400 Bad Request\r\n\r\n")]],
  ])("%s is proxy-refused: not SOCKS5", async (_name, answer) => {
    const net = memoryNetwork();
    const opening = socksProxy({ host: "proxy.test" })(net.connector)(target());
    const end = await net.next();
    await readBytes(end, 3);
    await end.write(Uint8Array.from(answer));
    expect((await rejection(opening)).message).toMatch(/something other than SOCKS5/);
  });

  it("a proxy that hangs up mid-handshake is proxy-refused, retryable", async () => {
    const net = memoryNetwork();
    const opening = socksProxy({ host: "proxy.test" })(net.connector)(target());
    const end = await net.next();
    await readBytes(end, 3);
    await end.close();
    const error = await rejection(opening);
    expect(error).toMatchObject({ detail: "proxy-refused", retryable: true });
    expect(error.message).toMatch(/closed the connection before the tunnel was open/);
  });
});

describe("httpProxy over a connection", () => {
  it("sends CONNECT with Basic credentials and keeps what follows the head for the client", async () => {
    const net = memoryNetwork();
    const connect = httpProxy({ url: "http://me:p%40ss@proxy.test:3128" })(net.connector);
    const opening = connect(target());
    const end = await net.next();
    expect(await readHead(end)).toBe(
      "CONNECT mail.example.test:587 HTTP/1.1\r\nHost: mail.example.test:587\r\n" +
        `Proxy-Authorization: Basic ${btoa("me:p@ss")}\r\n\r\n`,
    );
    // The answer in two pieces, the greeting glued to its end.
    await end.write(bytes("HTTP/1.0 200 Connection est"));
    await end.write(bytes("ablished\r\nProxy-agent: test\r\n\r\n220 hi\r\n"));
    const transport = await opening;
    expect(text(await transport.read())).toBe("220 hi\r\n");
    transport.abort();
  });

  it.each([
    [407, "Proxy Authentication Required", "proxy-auth", false],
    [401, "Unauthorized", "proxy-auth", false],
    [403, "Forbidden", "proxy-refused", false],
    [502, "Bad Gateway", "proxy-refused", true],
  ])("status %i is %s", async (code, reason, detail, retryable) => {
    const net = memoryNetwork();
    const opening = httpProxy({ url: "http://proxy.test:3128" })(net.connector)(target());
    const end = await net.next();
    await readHead(end);
    await end.write(bytes(`HTTP/1.1 ${code} ${reason}\r\nContent-Length: 0\r\n\r\n`));
    const error = await rejection(opening);
    expect(error).toMatchObject({ kind: "connection", detail, retryable });
    expect(error.message).toContain(`(${code} ${reason})`);
  });

  it("an endless head is refused at 16 KiB; an answer that is not HTTP is refused", async () => {
    const net = memoryNetwork();
    const connect = httpProxy({ url: "http://proxy.test:3128" })(net.connector);
    const opening = connect(target());
    const end = await net.next();
    await readHead(end);
    const line = bytes(`X-Filler: ${"x".repeat(1000)}\r\n`);
    const writing = (async () => {
      await end.write(bytes("HTTP/1.1 200 OK\r\n"));
      for (let i = 0; i < 17; i++) await end.write(line);
    })().catch(() => {});
    expect((await rejection(opening)).message).toMatch(/more than 16384 bytes/);
    await writing;
    const second = connect(target());
    const other = await net.next();
    await readHead(other);
    await other.write(bytes("SSH-2.0-OpenSSH_9.2\r\n\r\n"));
    expect((await rejection(second)).message).toMatch(/did not answer CONNECT in HTTP\/1.x/);
  });
});

describe("TLS inside the tunnel", () => {
  it("implicit TLS: the handshake runs in the tunnel against the mail server's name", async () => {
    const net = memoryNetwork();
    const opening = socksProxy({ host: "proxy.test" })(net.connector)(target("implicit"));
    const end = await net.next();
    expect(net.targets[0]?.tls).toBe("starttls");
    await socksAccept(end);
    await end.startTls({ servername: "" });
    const transport = await opening;
    expect(transport.secure).toBe(true);
    transport.abort();
  });

  it("implicit TLS to a certificate for another name fails kind tls, naming server and proxy", async () => {
    const net = memoryNetwork({ certificateNames: ["proxy.test"] });
    const opening = socksProxy({ host: "proxy.test" })(net.connector)(target("implicit"));
    const end = await net.next();
    await socksAccept(end);
    end.startTls({ servername: "" }).catch(() => {});
    const error = await rejection(opening);
    expect(error).toMatchObject({ kind: "tls", retryable: false });
    expect(error.message).toMatch(
      /^mail\.example\.test:587 through the SOCKS5 proxy proxy\.test:1080: /,
    );
    expect(error.cause).toBeInstanceOf(SmtpError);
  });

  it("implicit TLS: bytes before the handshake fail the tunnel", async () => {
    const net = memoryNetwork();
    const opening = socksProxy({ host: "proxy.test" })(net.connector)(target("implicit"));
    await socksAccept(await net.next(), 0, "220 plaintext\r\n");
    expect((await rejection(opening)).message).toMatch(/sent bytes before the TLS handshake/);
  });

  it("STARTTLS upgrades the connection in place; plaintext still unread is starttls-injection", async () => {
    const net = memoryNetwork();
    const connect = socksProxy({ host: "proxy.test" })(net.connector);
    const opening = connect(target());
    const end = await net.next();
    await socksAccept(end);
    const transport = await opening;
    await Promise.all([
      end.startTls({ servername: "" }),
      transport.startTls({ servername: "mail.example.test" }),
    ]);
    expect(transport.secure).toBe(true);
    transport.abort();

    const injected = connect(target());
    await socksAccept(await net.next(), 0, "220 go ahead\r\n250 injected\r\n");
    const victim = await injected;
    const error = await rejection(victim.startTls({ servername: "mail.example.test" }));
    expect(error).toMatchObject({ kind: "protocol", detail: "starttls-injection" });
  });
});

describe("the tunnel's edges", () => {
  it("the caller's signal ends a handshake the proxy never answers, with its reason", async () => {
    const net = memoryNetwork();
    const controller = new AbortController();
    const opening = socksProxy({ host: "proxy.test" })(net.connector)(target(), controller.signal);
    const end = await net.next();
    await readBytes(end, 3);
    const deadline = new SmtpError({ kind: "timeout", phase: "connect", message: "deadline" });
    controller.abort(deadline);
    expect(await rejection(opening)).toBe(deadline);
    // The connection to the proxy is gone.
    await expect(end.read()).rejects.toMatchObject({ detail: "ECONNRESET" });
  });

  it("a proxy that cannot be reached is proxy-unreachable; other connector errors pass as they are", async () => {
    const refused = new SmtpError({
      kind: "connection",
      message: "refused",
      detail: "ECONNREFUSED",
    });
    const down = socksProxy({ host: "proxy.test" })(async () => {
      throw refused;
    });
    const error = await rejection(down(target()));
    expect(error).toMatchObject({ detail: "proxy-unreachable", retryable: true, cause: refused });
    expect(error.message).toBe("the SOCKS5 proxy proxy.test:1080 cannot be reached: refused");
    const invalid = new SmtpError({ kind: "invalid-input", message: "bad tls option" });
    const picky = httpProxy({ url: "http://proxy.test" })(async () => {
      throw invalid;
    });
    expect(await rejection(picky(target()))).toBe(invalid);
  });

  it("a host no proxy can be asked for, or a bad port, is refused before connecting", async () => {
    let calls = 0;
    const counting: Connector = async () => {
      calls++;
      throw new Error("never");
    };
    for (const proxy of [socksProxy({ host: "p" }), httpProxy({ url: "http://p" })]) {
      const connect = proxy(counting);
      for (const bad of [
        { ...target(), host: "mail\r\nevil" },
        { ...target(), host: "a".repeat(256) },
        { ...target(), port: 0 },
      ]) {
        expect((await rejection(connect(bad))).kind).toBe("invalid-input");
      }
    }
    expect(calls).toBe(0);
  });

  it("bad options are refused when the proxy is made", () => {
    expect(() => socksProxy({ host: "" })).toThrow(/host/);
    expect(() => socksProxy({ host: "p", port: 70_000 })).toThrow(/port/);
    expect(() => socksProxy({ host: "p", user: "u" })).toThrow(/go together/);
    expect(() => socksProxy({ host: "p", user: "u", pass: "x".repeat(256) })).toThrow(/255 bytes/);
    expect(() => httpProxy({ url: "socks5://p" })).toThrow(/http:\/\//);
    expect(() => httpProxy({ url: "http://a:b@p" })(undefined as never)).toThrow(
      /wraps a connector/,
    );
  });
});
