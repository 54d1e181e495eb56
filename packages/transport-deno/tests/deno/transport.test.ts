// The Deno transport against servers run inside each test (Deno.listen / Deno.listenTls).
import assert from "node:assert/strict";
import { SmtpError } from "@smtp/core";
import { denoConnector } from "../../src/index.ts";
import {
  bytes,
  caPem,
  leafCertPem,
  leafKeyPem,
  readUntil,
  serveOnce,
  serverReadUntil,
  serverWrite,
  text,
} from "./helpers.ts";

const tlsServer = { cert: leafCertPem, key: leafKeyPem };

Deno.test("plaintext: greeting, a command and its reply, then EOF after QUIT", async () => {
  const server = serveOnce(async (conn) => {
    await serverWrite(conn, "220 fake ESMTP\r\n");
    assert.equal(await serverReadUntil(conn, "\r\n"), "EHLO client.test\r\n");
    await serverWrite(conn, "250-fake\r\n250 PIPELINING\r\n");
    assert.equal(await serverReadUntil(conn, "\r\n"), "QUIT\r\n");
    await serverWrite(conn, "221 bye\r\n");
  });
  const transport = await denoConnector()({ host: "127.0.0.1", port: server.port, tls: "none" });
  assert.equal(transport.secure, false);
  assert.equal(transport.remoteAddress, "127.0.0.1");
  assert.equal(transport.localAddress, "127.0.0.1");
  const read = () => transport.read();
  assert.equal(await readUntil(read, "\r\n"), "220 fake ESMTP\r\n");
  await transport.write(bytes("EHLO client.test\r\n"));
  assert.equal(await readUntil(read, "250 PIPELINING\r\n"), "250-fake\r\n250 PIPELINING\r\n");
  await transport.write(bytes("QUIT\r\n"));
  assert.equal(await readUntil(read, "\r\n"), "221 bye\r\n");
  await server.done;
  assert.equal(await transport.read(), null);
  assert.equal(await transport.read(), null);
  await transport.close();
  await transport.close();
});

Deno.test("a large write is delivered whole while the server reads slowly", async () => {
  const size = 4 * 1024 * 1024;
  const payload = new Uint8Array(size);
  for (let i = 0; i < size; i++) payload[i] = i % 251;
  const server = serveOnce(async (conn) => {
    const buffer = new Uint8Array(65536);
    let received = 0;
    let checksum = 0;
    while (received < size) {
      const n = await conn.read(buffer);
      if (n === null) break;
      for (let i = 0; i < n; i++)
        checksum = (checksum + (buffer[i] ?? 0) * ((received + i) % 7)) % 1_000_003;
      received += n;
    }
    let expected = 0;
    for (let i = 0; i < size; i++) expected = (expected + (i % 251) * (i % 7)) % 1_000_003;
    assert.equal(received, size);
    assert.equal(checksum, expected);
    await serverWrite(conn, "250 got it\r\n");
  });
  const transport = await denoConnector()({ host: "127.0.0.1", port: server.port, tls: "none" });
  await transport.write(payload);
  assert.equal(await readUntil(() => transport.read(), "\r\n"), "250 got it\r\n");
  await server.done;
  await transport.close();
});

Deno.test("implicit TLS: verified with tls.ca, then bytes flow inside TLS", async () => {
  const server = serveOnce(async (conn) => {
    await serverWrite(conn, "220 tls ESMTP\r\n");
    assert.equal(await serverReadUntil(conn, "\r\n"), "NOOP\r\n");
    await serverWrite(conn, "250 ok\r\n");
  }, tlsServer);
  const transport = await denoConnector({ tls: { ca: caPem } })({
    host: "localhost",
    port: server.port,
    tls: "implicit",
  });
  assert.equal(transport.secure, true);
  assert.equal(await readUntil(() => transport.read(), "\r\n"), "220 tls ESMTP\r\n");
  await transport.write(bytes("NOOP\r\n"));
  assert.equal(await readUntil(() => transport.read(), "\r\n"), "250 ok\r\n");
  await transport.close();
  await server.done;
});

Deno.test("implicit TLS over IPv6 loopback, verified against the ::1 address", async () => {
  const server = serveOnce(
    async (conn) => {
      await serverWrite(conn, "220 v6 ESMTP\r\n");
    },
    tlsServer,
    "::1",
  );
  const transport = await denoConnector({ tls: { ca: caPem } })({
    host: "::1",
    port: server.port,
    tls: "implicit",
  });
  assert.equal(transport.remoteAddress, "::1");
  assert.equal(await readUntil(() => transport.read(), "\r\n"), "220 v6 ESMTP\r\n");
  await server.done;
  await transport.close();
});

Deno.test("implicit TLS with a servername other than the host (connect + startTls)", async () => {
  const server = serveOnce(async (conn) => {
    await serverWrite(conn, "220 tls ESMTP\r\n");
  }, tlsServer);
  const transport = await denoConnector({ tls: { ca: caPem, servername: "localhost" } })({
    host: "127.0.0.1",
    port: server.port,
    tls: "implicit",
  });
  assert.equal(transport.secure, true);
  assert.equal(await readUntil(() => transport.read(), "\r\n"), "220 tls ESMTP\r\n");
  await server.done;
  await transport.close();
});

Deno.test("implicit TLS: an untrusted certificate fails with kind tls, not retryable", async () => {
  const server = serveOnce(async (conn) => {
    // The client gives up during the handshake; the server side just sees it fail.
    await conn.read(new Uint8Array(16)).catch(() => null);
  }, tlsServer);
  const error = await denoConnector()({
    host: "localhost",
    port: server.port,
    tls: "implicit",
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof SmtpError, String(error));
  assert.equal(error.kind, "tls");
  assert.equal(error.retryable, false);
  assert.ok(error.cause !== undefined);
  await server.done;
});

Deno.test("implicit TLS: a certificate for another name fails with kind tls", async () => {
  const server = serveOnce(async (conn) => {
    await conn.read(new Uint8Array(16)).catch(() => null);
  }, tlsServer);
  const error = await denoConnector({ tls: { ca: caPem, servername: "mail.example.test" } })({
    host: "127.0.0.1",
    port: server.port,
    tls: "implicit",
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof SmtpError, String(error));
  assert.equal(error.kind, "tls");
  await server.done;
});

Deno.test("a refused connection is a retryable connection error with the cause kept", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const error = await denoConnector()({ host: "127.0.0.1", port, tls: "none" }).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof SmtpError, String(error));
  assert.equal(error.kind, "connection");
  assert.equal(error.retryable, true);
  assert.ok(error.cause instanceof Deno.errors.ConnectionRefused);
});

Deno.test("a server that never answers the TLS handshake: the caller's signal ends it", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const controller = new AbortController();
  const connecting = denoConnector({ tls: { ca: caPem } })(
    { host: "localhost", port: listener.addr.port, tls: "implicit" },
    controller.signal,
  );
  const conn = await accepted;
  // The transport has no clock: the client's connect deadline fires the signal.
  const deadline = new SmtpError({ kind: "timeout", phase: "connect", message: "too slow" });
  controller.abort(deadline);
  const error = await connecting.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.equal(error, deadline);
  // Deno keeps the socket of a TLS connection closed mid-handshake until the peer sends
  // or closes (a runtime limitation, see the README), so the server side ends it here.
  conn.close();
  listener.close();
});

Deno.test("an aborted signal stops connecting with kind aborted and the reason as cause", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const controller = new AbortController();
  const reason = new Error("caller gave up");
  const connecting = denoConnector({ tls: { ca: caPem } })(
    { host: "localhost", port: listener.addr.port, tls: "implicit" },
    controller.signal,
  );
  const conn = await accepted;
  controller.abort(reason);
  const error = await connecting.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof SmtpError, String(error));
  assert.equal(error.kind, "aborted");
  assert.equal(error.cause, reason);
  await conn.read(new Uint8Array(4096)).catch(() => null);
  conn.close();
  listener.close();
  const early = await denoConnector()(
    { host: "127.0.0.1", port: 9, tls: "none" },
    AbortSignal.abort(reason),
  ).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(early instanceof SmtpError && early.kind === "aborted");
});

Deno.test("abort() resolves a pending read with null and rejects later writes", async () => {
  const server = serveOnce(async (conn) => {
    await conn.read(new Uint8Array(16)).catch(() => null);
  });
  const transport = await denoConnector()({ host: "127.0.0.1", port: server.port, tls: "none" });
  const pending = transport.read();
  await assert.rejects(transport.read(), /already pending/);
  transport.abort(new Error("stop"));
  transport.abort();
  assert.equal(await pending, null);
  const error = await transport.write(bytes("NOOP\r\n")).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof SmtpError);
  assert.equal(error.kind, "connection");
  await transport.close();
  await server.done;
});

for (const secure of [false, true]) {
  Deno.test(`close() with a read pending really ends the ${secure ? "TLS" : "TCP"} connection: the server sees EOF`, async () => {
    let serverSawEof = false;
    const server = serveOnce(
      async (conn) => {
        await serverWrite(conn, "220 hello\r\n");
        const buffer = new Uint8Array(4096);
        while ((await conn.read(buffer).catch(() => null)) !== null);
        serverSawEof = true;
      },
      secure ? tlsServer : undefined,
    );
    const transport = await denoConnector({ tls: { ca: caPem } })({
      host: "localhost",
      port: server.port,
      tls: secure ? "implicit" : "none",
    });
    assert.equal(await readUntil(() => transport.read(), "\r\n"), "220 hello\r\n");
    const pending = transport.read();
    await transport.close();
    assert.equal(await pending, null);
    await server.done;
    assert.equal(serverSawEof, true);
  });
}

Deno.test("a connection reset while reading is a connection error", async () => {
  const server = serveOnce(async (conn) => {
    await serverWrite(conn, "220 then gone\r\n");
    conn.close();
  });
  const transport = await denoConnector()({ host: "127.0.0.1", port: server.port, tls: "none" });
  assert.equal(text((await transport.read()) ?? new Uint8Array()), "220 then gone\r\n");
  await server.done;
  assert.equal(await transport.read(), null);
  await transport.close();
});

Deno.test("implicit TLS against a plaintext server: tls not-tls with the port hint", async () => {
  const server = serveOnce(async (conn) => {
    await serverWrite(conn, "220 plaintext ESMTP\r\n");
    await conn.read(new Uint8Array(4096)).catch(() => null);
  });
  const error = await denoConnector({ tls: { ca: caPem } })({
    host: "localhost",
    port: server.port,
    tls: "implicit",
  }).catch((e: unknown) => e);
  await server.done;
  assert.ok(error instanceof SmtpError);
  assert.equal(error.kind, "tls");
  assert.equal(error.detail, "not-tls");
  assert.equal(error.retryable, false);
  assert.match(error.message, /secure: false/);
});

Deno.test("the peer dropping during the implicit handshake is a retryable connection error", async () => {
  const server = serveOnce(async (conn) => {
    await conn.read(new Uint8Array(4096)); // the ClientHello, then gone
  });
  const error = await denoConnector({ tls: { ca: caPem } })({
    host: "localhost",
    port: server.port,
    tls: "implicit",
  }).catch((e: unknown) => e);
  await server.done;
  assert.ok(error instanceof SmtpError);
  assert.equal(error.kind, "connection");
  assert.equal(error.retryable, true);
});

Deno.test("plaintext after the 220 to STARTTLS, before the handshake: starttls-injection", async () => {
  const reply = "220 go ahead\r\n";
  const server = serveOnce(async (conn) => {
    await serverWrite(conn, reply);
    await serverWrite(conn, "250 injected\r\n");
    await conn.read(new Uint8Array(4096)).catch(() => null);
  });
  // One read of exactly the 220 leaves the injected line in the socket for the handshake.
  const transport = await denoConnector({ tls: { ca: caPem }, readSize: reply.length })({
    host: "localhost",
    port: server.port,
    tls: "starttls",
  });
  assert.equal(text((await transport.read()) ?? new Uint8Array()), reply);
  const error = await transport.startTls({ servername: "localhost" }).catch((e: unknown) => e);
  await server.done;
  assert.ok(error instanceof SmtpError);
  assert.equal(error.kind, "protocol");
  assert.equal(error.detail, "starttls-injection");
  await transport.close();
});

Deno.test("TLS options Deno would ignore are refused before connecting", async () => {
  const target = { host: "127.0.0.1", port: 9, tls: "implicit" } as const;
  for (const tls of [
    { ca: "not a pem" },
    { cert: leafCertPem },
    { cert: leafCertPem, key: leafKeyPem, servername: "localhost" },
    { rejectUnauthorized: false },
  ]) {
    const error = await denoConnector({ tls })(target).catch((e: unknown) => e);
    assert.ok(error instanceof SmtpError);
    assert.equal(error.kind, "invalid-input");
  }
  const starttls = await denoConnector({ tls: { cert: leafCertPem, key: leafKeyPem } })({
    ...target,
    tls: "starttls",
  }).catch((e: unknown) => e);
  assert.ok(starttls instanceof SmtpError);
  assert.equal(starttls.kind, "invalid-input");
});
