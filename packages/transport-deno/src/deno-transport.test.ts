import { SmtpError } from "@smtp/core";
import type { ConnectTarget, TlsOptions } from "@smtp/core/transport-kit";
import { describe, expect, it, vi } from "vitest";
import { FakeConn, FakeDeno } from "../test/fake-deno.ts";
import { denoConnector } from "./deno-connector.ts";
import { DenoTransport } from "./deno-transport.ts";
import { denoTlsSettings } from "./tls-options.ts";

const CA_PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const encode = (text: string) => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array | null) => (bytes ? new TextDecoder().decode(bytes) : null);

function transportOver(conn: FakeConn, deno = new FakeDeno(), extra: { servername?: string } = {}) {
  return new DenoTransport({
    deno,
    conn,
    host: "mail.test",
    port: 587,
    secure: false,
    caCerts: ["CA PEM"],
    servername: extra.servername,
    readSize: 8,
  });
}

describe("DenoTransport", () => {
  it("loops on partial writes until every byte went out, in order", async () => {
    const conn = new FakeConn();
    conn.maxWrite = 3;
    const t = transportOver(conn);
    await Promise.all([t.write(encode("EHLO client.test\r\n")), t.write(encode("NOOP\r\n"))]);
    expect(conn.text()).toBe("EHLO client.test\r\nNOOP\r\n");
    expect(conn.written.every((chunk) => chunk.length <= 3)).toBe(true);
  });

  it("reads at most readSize bytes per call and hands out copies", async () => {
    const conn = new FakeConn();
    const t = transportOver(conn);
    conn.feed(encode("220 a\r\n"));
    const first = await t.read();
    conn.feed(encode("250 b\r\n"));
    const second = await t.read();
    expect(decode(first)).toBe("220 a\r\n");
    expect(decode(second)).toBe("250 b\r\n");
    conn.feed(encode("0123456789"));
    expect(decode(await t.read())).toBe("01234567");
    expect(t.localAddress).toBe("127.0.0.1");
    expect(t.remoteAddress).toBe("127.0.0.1");
  });

  it("reads nothing from the socket until read() is called", async () => {
    const conn = new FakeConn();
    const t = transportOver(conn);
    expect(conn.readPending).toBe(false);
    const pending = t.read();
    expect(conn.readPending).toBe(true);
    await expect(t.read()).rejects.toThrow("already pending");
    conn.feed(null);
    expect(await pending).toBeNull();
    expect(await t.read()).toBeNull();
  });

  it("a read failure becomes a connection SmtpError that later calls repeat", async () => {
    const conn = new FakeConn();
    const t = transportOver(conn);
    const reset = Object.assign(new Error("reset"), { name: "ConnectionReset" });
    conn.feed(reset);
    const error = await t.read().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmtpError);
    expect(error).toMatchObject({ kind: "connection", cause: reset });
    await expect(t.read()).rejects.toBe(error);
    await expect(t.write(encode("x"))).rejects.toBe(error);
  });

  it("TLS bytes first on a plaintext connection are handed over as they came (the driver tells)", async () => {
    const conn = new FakeConn();
    const t = transportOver(conn);
    const alert = new Uint8Array([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46]);
    conn.feed(alert);
    expect(await t.read()).toEqual(alert.subarray(0, 7));
    await t.close();
  });

  it("close() resolves a pending read with null, is idempotent, and later writes reject", async () => {
    const conn = new FakeConn();
    const t = transportOver(conn);
    const pending = t.read();
    await t.close();
    await t.close();
    t.abort();
    expect(await pending).toBeNull();
    expect(conn.closed).toBe(true);
    await expect(t.write(encode("x"))).rejects.toMatchObject({ kind: "connection" });
  });

  it("closeWrite() half-closes the Deno connection after the writes before it; reads go on", async () => {
    const conn = new FakeConn();
    const t = transportOver(conn);
    const quit = t.write(encode("QUIT\r\n"));
    await t.closeWrite();
    await quit;
    expect(conn.text()).toBe("QUIT\r\n");
    expect(conn.writeClosed).toBe(true);
    expect(conn.closed).toBe(false);
    conn.feed(encode("221 ok\r\n"));
    expect(decode(await t.read())).toBe("221 ok\r\n");
    conn.feed(null);
    expect(await t.read()).toBeNull();
    await expect(t.write(encode("x"))).rejects.toMatchObject({ kind: "connection" });
    await t.close();
    expect(conn.closed).toBe(true);
  });

  it("closeWrite() on a connection without Deno's half-close leaves it open for reading", async () => {
    const conn = new FakeConn();
    Object.defineProperty(conn, "closeWrite", { value: undefined });
    const t = transportOver(conn);
    await t.closeWrite();
    conn.feed(encode("221 ok\r\n"));
    expect(decode(await t.read())).toBe("221 ok\r\n");
    expect(conn.closed).toBe(false);
  });

  it("startTls upgrades with the server name and caCerts, then uses the TLS connection", async () => {
    const plain = new FakeConn();
    const tls = new FakeConn();
    const deno = new FakeDeno();
    deno.startTlsResult = async () => tls;
    const t = transportOver(plain, deno);
    await t.startTls({ servername: "mail.test" });
    expect(deno.calls).toEqual([
      { fn: "startTls", options: { hostname: "mail.test", caCerts: ["CA PEM"] } },
    ]);
    expect(t.secure).toBe(true);
    await t.write(encode("EHLO x\r\n"));
    expect(tls.text()).toBe("EHLO x\r\n");
    expect(plain.text()).toBe("");
    await expect(t.startTls({ servername: "mail.test" })).rejects.toThrow("already secure");
    await t.close();
    expect(tls.closed).toBe(true);
  });

  it("startTls prefers the configured servername", async () => {
    const deno = new FakeDeno();
    const t = transportOver(new FakeConn(), deno, { servername: "override.test" });
    await t.startTls({ servername: "mail.test" });
    expect(deno.calls[0]?.options).toMatchObject({ hostname: "override.test" });
  });

  it("startTls refuses while a read is pending", async () => {
    const conn = new FakeConn();
    const t = transportOver(conn);
    const pending = t.read();
    await expect(t.startTls({ servername: "mail.test" })).rejects.toThrow("read() is pending");
    await t.close();
    expect(await pending).toBeNull();
  });

  it("a failed handshake is a tls error and closes everything", async () => {
    const tls = new FakeConn();
    tls.handshakeResult = Promise.reject(
      Object.assign(new Error("invalid peer certificate: UnknownIssuer"), { name: "InvalidData" }),
    );
    tls.handshakeResult.catch(() => {});
    const deno = new FakeDeno();
    deno.startTlsResult = async () => tls;
    const t = transportOver(new FakeConn(), deno);
    await expect(t.startTls({ servername: "mail.test" })).rejects.toMatchObject({
      kind: "tls",
      retryable: false,
    });
    expect(tls.closed).toBe(true);
    expect(t.secure).toBe(false);
    await expect(t.write(encode("x"))).rejects.toMatchObject({ kind: "tls" });
  });

  it("a handshake that never ends waits for abort(), which closes the TLS connection", async () => {
    const tls = new FakeConn();
    tls.handshakeResult = new Promise(() => {});
    const deno = new FakeDeno();
    deno.startTlsResult = async () => tls;
    const t = transportOver(new FakeConn(), deno);
    const upgrading = t.startTls({ servername: "mail.test" }).catch((e: unknown) => e);
    await vi.waitFor(() => expect(deno.calls.length).toBe(1));
    await Promise.resolve();
    const deadline = new SmtpError({ kind: "timeout", phase: "tls", message: "too slow" });
    t.abort(deadline);
    expect(await upgrading).toBe(deadline);
    expect(tls.closed).toBe(true);
  });

  it("a Deno.startTls that resolves after abort() is closed, its handshake never run", async () => {
    const late = new FakeConn();
    let handshakes = 0;
    late.handshake = async () => {
      handshakes++;
      return {};
    };
    let resolveStart!: (conn: FakeConn) => void;
    const deno = new FakeDeno();
    deno.startTlsResult = () =>
      new Promise((resolve) => {
        resolveStart = resolve;
      });
    const t = transportOver(new FakeConn(), deno);
    const upgrading = t.startTls({ servername: "mail.test" }).catch((e: unknown) => e);
    await vi.waitFor(() => expect(deno.calls.length).toBe(1));
    t.abort(new Error("stop"));
    expect(await upgrading).toMatchObject({ kind: "aborted" });
    resolveStart(late);
    await t.close();
    expect(late.closed).toBe(true);
    expect(handshakes).toBe(0);
  });

  it("abort() during the handshake fails the upgrade with kind aborted", async () => {
    const tls = new FakeConn();
    let failHandshake!: (e: unknown) => void;
    tls.handshakeResult = new Promise((_, reject) => {
      failHandshake = reject;
    });
    const deno = new FakeDeno();
    deno.startTlsResult = async () => tls;
    const t = transportOver(new FakeConn(), deno);
    const upgrading = t.startTls({ servername: "mail.test" }).catch((e: unknown) => e);
    await vi.waitFor(() => expect(deno.calls.length).toBe(1));
    await Promise.resolve();
    t.abort(new Error("stop"));
    failHandshake(Object.assign(new Error("operation canceled"), { name: "Interrupted" }));
    expect(await upgrading).toMatchObject({ kind: "aborted" });
    expect(tls.closed).toBe(true);
  });
});

describe("denoConnector", () => {
  it("plain and STARTTLS targets: Deno.connect with no-delay and the caller's signal", async () => {
    const deno = new FakeDeno();
    const conn = new FakeConn();
    deno.connectResult = async () => conn;
    const controller = new AbortController();
    const t = await denoConnector({ deno })(
      { host: "mail.test", port: 587, tls: "starttls" },
      controller.signal,
    );
    expect(deno.calls).toHaveLength(1);
    expect(deno.calls[0]).toMatchObject({
      fn: "connect",
      options: { hostname: "mail.test", port: 587, transport: "tcp" },
    });
    expect((deno.calls[0]!.options as { signal?: unknown }).signal).toBe(controller.signal);
    expect(conn.noDelay).toBe(true);
    expect(t.secure).toBe(false);
    await t.close();
  });

  it("implicit TLS: Deno.connectTls with caCerts and a client certificate, handshake done", async () => {
    const deno = new FakeDeno();
    let handshakes = 0;
    const tls = new FakeConn();
    tls.handshake = async () => {
      handshakes++;
      return {};
    };
    deno.connectTlsResult = async () => tls;
    const t = await denoConnector({ deno, tls: { ca: CA_PEM, cert: "CERT", key: "KEY" } })({
      host: "mail.test",
      port: 465,
      tls: "implicit",
    });
    expect(deno.calls).toEqual([
      {
        fn: "connectTls",
        options: { hostname: "mail.test", port: 465, caCerts: [CA_PEM], cert: "CERT", key: "KEY" },
      },
    ]);
    expect(handshakes).toBe(1);
    expect(t.secure).toBe(true);
    await t.close();
  });

  it("implicit TLS with another servername: Deno.connect, then Deno.startTls with that name", async () => {
    const deno = new FakeDeno();
    const t = await denoConnector({ deno, tls: { servername: "mx.test" } })({
      host: "192.0.2.1",
      port: 465,
      tls: "implicit",
    });
    expect(deno.calls.map((c) => c.fn)).toEqual(["connect", "startTls"]);
    expect(deno.calls[1]?.options).toEqual({ hostname: "mx.test" });
    await t.close();
  });

  it("a connect the caller's signal gives up on rejects with its reason; the late connection is closed", async () => {
    const deno = new FakeDeno();
    const late = new FakeConn();
    let open!: (conn: FakeConn) => void;
    deno.connectResult = () =>
      new Promise((resolve) => {
        open = resolve;
      });
    const controller = new AbortController();
    const connecting = denoConnector({ deno })(
      { host: "mail.test", port: 25, tls: "none" },
      controller.signal,
    ).catch((e: unknown) => e);
    const deadline = new SmtpError({ kind: "timeout", phase: "connect", message: "too slow" });
    controller.abort(deadline);
    expect(await connecting).toBe(deadline);
    open(late);
    await vi.waitFor(() => expect(late.closed).toBe(true));
  });

  it("an implicit TLS connect that completes after an abort never starts the handshake", async () => {
    const deno = new FakeDeno();
    const late = new FakeConn();
    let handshakes = 0;
    late.handshake = async () => {
      handshakes++;
      return {};
    };
    let open!: (conn: FakeConn) => void;
    deno.connectTlsResult = () =>
      new Promise((resolve) => {
        open = resolve;
      });
    const controller = new AbortController();
    const connecting = denoConnector({ deno })(
      { host: "mail.test", port: 465, tls: "implicit" },
      controller.signal,
    ).catch((e: unknown) => e);
    controller.abort(new Error("user cancelled"));
    expect(await connecting).toMatchObject({ kind: "aborted" });
    open(late);
    await vi.waitFor(() => expect(late.closed).toBe(true));
    expect(handshakes).toBe(0);
  });

  it("a failed implicit handshake closes the connection and is a tls error", async () => {
    const deno = new FakeDeno();
    const tls = new FakeConn();
    tls.handshakeResult = Promise.reject(
      Object.assign(new Error("alert"), { name: "InvalidData" }),
    );
    tls.handshakeResult.catch(() => {});
    deno.connectTlsResult = async () => tls;
    const error = await denoConnector({ deno })({
      host: "mail.test",
      port: 465,
      tls: "implicit",
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "tls" });
    expect(tls.closed).toBe(true);
  });

  it("refuses TLS options Deno would ignore, before connecting, with invalid-input", async () => {
    const deno = new FakeDeno();
    const implicit: ConnectTarget = { host: "mail.test", port: 465, tls: "implicit" };
    const refused: [TlsOptions, ConnectTarget][] = [
      [{ ca: "not a pem" }, implicit],
      [{ ca: [CA_PEM, "MIIB"] }, implicit],
      [{ cert: "CERT" }, implicit],
      [{ key: "KEY" }, implicit],
      [
        { cert: "CERT", key: "KEY" },
        { ...implicit, port: 587, tls: "starttls" },
      ],
      [
        { cert: "CERT", key: "KEY" },
        { ...implicit, port: 25, tls: "none" },
      ],
      [{ cert: "CERT", key: "KEY", servername: "mx.test" }, implicit],
      [{ pfx: "x" }, implicit],
      [{ passphrase: "x" }, implicit],
      [{ rejectUnauthorized: false }, implicit],
      [{ minVersion: "TLSv1" }, implicit],
      [{ minVersion: "TLSv1.1" }, implicit],
      [{ minVersion: "TLSv1.3" }, implicit],
    ];
    for (const [options, target] of refused) {
      const error = await denoConnector({ deno, tls: options })(target).catch((e: unknown) => e);
      expect(error, JSON.stringify(options)).toBeInstanceOf(SmtpError);
      expect(error, JSON.stringify(options)).toMatchObject({
        kind: "invalid-input",
        retryable: false,
      });
    }
    expect(deno.calls).toEqual([]);
    // The same name as the host is fine.
    const t = await denoConnector({
      deno,
      tls: { cert: "CERT", key: "KEY", servername: "mail.test", minVersion: "TLSv1.2" },
    })(implicit);
    expect(deno.calls.map((c) => c.fn)).toEqual(["connectTls"]);
    await t.close();
  });

  it("outside Deno (no global Deno) it says so with a non-retryable error", async () => {
    const error = await denoConnector()({ host: "mail.test", port: 25, tls: "none" }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SmtpError);
    expect(error).toMatchObject({ kind: "connection", retryable: false });
    expect(String((error as Error).message)).toContain("transport-node");
  });
});

describe("denoTlsSettings", () => {
  it("maps ca (strings or bytes), cert and key to PEM strings, and keeps servername", () => {
    expect(
      denoTlsSettings({
        ca: [CA_PEM, new TextEncoder().encode(CA_PEM)],
        cert: "C",
        key: ["K1", new TextEncoder().encode("K2")],
        servername: "mx.test",
      }),
    ).toEqual({ caCerts: [CA_PEM, CA_PEM], cert: "C", key: "K1\nK2", servername: "mx.test" });
    expect(denoTlsSettings(undefined)).toEqual({});
    expect(denoTlsSettings({ minVersion: "TLSv1.2", ca: CA_PEM })).toEqual({ caCerts: [CA_PEM] });
  });
});
