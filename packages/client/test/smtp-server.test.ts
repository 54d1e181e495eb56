import { type ClientOptions, createClient } from "@smtp/client";
import {
  createTestCa,
  type SmtpServerPeer,
  startSmtpServerPeer,
  TEST_ACCESS_TOKEN,
} from "@smtp-internal/test-peer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  countingConnector,
  expectSmtpError,
  forbiddenSecrets as forbidden,
  liveHandles,
  parse,
  settledHandles,
  startSilentServer,
} from "./helpers.ts";

const USER = "user@example.test";
const PASS = "password";

const message = {
  from: { name: "Zoë Sender", address: USER },
  to: ["Ärger <rcpt@example.test>", "other@catchall.test"],
  subject: "Grüße — a UTF-8 subject ✉️",
  text: "Hello, wörld.\n.\nA line with a lone dot above.\n",
  html: "<p>Hello, <b>wörld</b> <img src='cid:dot@test'></p>",
  attachments: [
    { filename: "hello.txt", content: "attached text\n" },
    {
      filename: "dot.png",
      content: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]),
      contentType: "image/png",
      cid: "dot@test",
    },
  ],
};

async function expectSameMessage(raw: Uint8Array) {
  const parsed = await parse(raw);
  expect(parsed.subject).toBe(message.subject);
  expect(parsed.from?.value[0]).toMatchObject({ name: "Zoë Sender", address: USER });
  const to = Array.isArray(parsed.to) ? parsed.to.flatMap((a) => a.value) : parsed.to?.value;
  expect(to?.map((a) => a.address)).toEqual(["rcpt@example.test", "other@catchall.test"]);
  expect(to?.[0]?.name).toBe("Ärger");
  expect(parsed.text).toBe(message.text);
  expect(parsed.html).toContain("<b>wörld</b>");
  const byName = new Map(parsed.attachments.map((a) => [a.filename, a]));
  expect([...byName.keys()].sort()).toEqual(["dot.png", "hello.txt"]);
  expect(byName.get("hello.txt")?.content.toString()).toBe("attached text\n");
  expect([...(byName.get("dot.png")?.content ?? [])]).toEqual([
    0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255,
  ]);
  expect(byName.get("dot.png")?.cid).toBe("dot@test");
}

describe.each(["127.0.0.1", "::1"] as const)("against smtp-server on %s", (host) => {
  const ca = createTestCa();
  let starttls: SmtpServerPeer;
  let implicit: SmtpServerPeer;
  let plain: SmtpServerPeer;
  beforeAll(async () => {
    const shared = await ca;
    [starttls, implicit, plain] = await Promise.all([
      startSmtpServerPeer({ host, tls: "starttls", ca: shared }),
      startSmtpServerPeer({ host, tls: "implicit", ca: shared }),
      startSmtpServerPeer({ host, tls: "none", ca: shared }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([starttls?.close(), implicit?.close(), plain?.close()]);
  });

  const modes: [string, () => SmtpServerPeer, Partial<ClientOptions>, boolean][] = [
    ["STARTTLS", () => starttls, { starttls: "required" }, true],
    ["implicit TLS", () => implicit, { secure: true }, true],
    ["plain (loopback: STARTTLS opportunistic)", () => plain, {}, false],
  ];

  it.each(modes)(
    "sends over %s with AUTH and the server receives the same message",
    async (_m, peer, extra, secure) => {
      const p = peer();
      const counting = countingConnector({ ca: p.ca.caPem });
      const client = createClient({
        host,
        port: p.port,
        auth: { user: USER, pass: PASS },
        transport: counting.connector,
        ...extra,
      });
      const before = p.received.length;
      const info = await client.send(message);
      await client.close();
      expect(info.accepted).toEqual(["rcpt@example.test", "other@catchall.test"]);
      expect(info.rejected).toEqual([]);
      expect(info.envelope).toEqual({
        from: USER,
        to: ["rcpt@example.test", "other@catchall.test"],
      });
      expect(info.response).toMatch(/^250 /);
      expect(info.messageId).toMatch(/^<.+@.+>$/);
      const received = p.received[before];
      expect(received?.secure).toBe(secure);
      expect(received?.user).toBe(USER);
      expect(received?.from).toBe(USER);
      await expectSameMessage(received!.raw);
      expect(new TextDecoder().decode(received!.raw)).toContain(`Message-ID: ${info.messageId}`);
      // R13: the one connection was closed exactly once.
      expect(counting.transports).toEqual([{ closes: 1, aborts: 0 }]);
    },
  );

  it("verify() returns the capabilities after STARTTLS and AUTH", async () => {
    const client = createClient({
      host,
      port: starttls.port,
      tls: { ca: starttls.ca.caPem },
      starttls: "required",
      auth: { user: USER, pass: PASS },
    });
    const capabilities = await client.verify();
    expect(capabilities.pipelining).toBe(true);
    expect(capabilities.size).toBe(1024 * 1024);
    expect(capabilities.auth).toContain("PLAIN");
    await client.close();
  });

  it("verify() runs STARTTLS, AUTH and a graceful QUIT", async () => {
    const seen: (string | undefined)[] = [];
    const server = starttls.server as unknown as {
      onAuth: (auth: { username?: string }, session: unknown, cb: unknown) => void;
    };
    const onAuth = server.onAuth;
    server.onAuth = (auth, session, cb) => {
      seen.push(auth.username);
      onAuth.call(server, auth, session, cb);
    };
    try {
      const lines: string[] = [];
      const counting = countingConnector({ ca: starttls.ca.caPem });
      const client = createClient({
        host,
        port: starttls.port,
        starttls: "required",
        auth: { user: USER, pass: PASS },
        transport: counting.connector,
        transcript: (e) => lines.push(`${e.direction}: ${e.text}`),
      });
      await client.verify();
      await client.close();
      expect(lines).toContain("C: STARTTLS");
      expect(lines.some((l) => l.startsWith("C: AUTH "))).toBe(true);
      expect(lines).toContain("C: QUIT");
      expect(seen).toEqual([USER]);
      expect(counting.transports).toEqual([{ closes: 1, aborts: 0 }]);
    } finally {
      server.onAuth = onAuth;
    }
  });

  it("verify() with a wrong password rejects with the server's 535", async () => {
    const client = createClient({
      host,
      port: starttls.port,
      tls: { ca: starttls.ca.caPem },
      starttls: "required",
      auth: { user: USER, pass: "not-the-password", method: "PLAIN" },
    });
    const error = await expectSmtpError(client.verify());
    expect(error.kind).toBe("auth");
    expect(error.code).toBe(535);
    expect(error.command).toBe("AUTH PLAIN");
    expect(error.enhancedCode).toBe("5.7.8");
    expect(error.response).toBe("Invalid username or password");
    expect(error.retryable).toBe(false);
    await client.close();
  });

  it("to a loopback host without a starttls option, upgrades with STARTTLS when offered", async () => {
    const lines: string[] = [];
    const client = createClient({
      host,
      port: starttls.port,
      tls: { ca: starttls.ca.caPem },
      transcript: (e) => lines.push(`${e.direction}: ${e.text}`),
    });
    const before = starttls.received.length;
    await client.send({ from: USER, to: "a@example.test", subject: "opportunistic", text: "x" });
    await client.close();
    expect(lines).toContain("C: STARTTLS");
    expect(starttls.received[before]?.secure).toBe(true);
  });

  it("reports refused recipients and delivers to the others", async () => {
    const client = createClient({ host, port: plain.port });
    const info = await client.send({
      from: USER,
      to: ["ok@example.test", "nobody@reject.test", "full@example.test"],
      subject: "partial",
      text: "x",
    });
    expect(info.accepted).toEqual(["ok@example.test"]);
    expect(info.rejected).toEqual([
      {
        address: "nobody@reject.test",
        code: 550,
        enhancedCode: "5.1.1",
        message: "<nobody@reject.test>: Recipient address rejected: User unknown",
      },
      {
        address: "full@example.test",
        code: 452,
        enhancedCode: "4.2.2",
        message: "<full@example.test>: Mailbox full, try again later",
      },
    ]);
    expect(plain.received.at(-1)?.to).toEqual(["ok@example.test"]);
    await client.close();
  });

  it("rejects with kind rejected when every recipient is refused", async () => {
    const client = createClient({ host, port: plain.port });
    const before = plain.received.length;
    const error = await expectSmtpError(
      client.send({ from: USER, to: ["a@reject.test", "b@reject.test"], subject: "x", text: "x" }),
    );
    expect(error.kind).toBe("rejected");
    expect(error.retryable).toBe(false);
    expect(error.rejected?.map((r) => r.address)).toEqual(["a@reject.test", "b@reject.test"]);
    expect(plain.received.length).toBe(before);
    await client.close();
  });
});

describe("against smtp-server: extensions", () => {
  let peer: SmtpServerPeer;
  beforeAll(async () => {
    peer = await startSmtpServerPeer({ tls: "none", size: 4096 });
  });
  afterAll(() => peer?.close());

  it("declares SIZE and refuses a message over the server's limit with kind size, sending no data", async () => {
    const client = createClient({ host: peer.host, port: peer.port });
    const before = peer.received.length;
    const error = await expectSmtpError(
      client.send({ from: USER, to: "a@example.test", subject: "big", text: "x".repeat(10_000) }),
    );
    expect(error.kind).toBe("size");
    expect(peer.received.length).toBe(before);
    const info = await client.send(message);
    expect(info.accepted).toEqual(["rcpt@example.test", "other@catchall.test"]);
    const received = peer.received.at(-1)!;
    expect(Number(received.mailParams.SIZE)).toBeGreaterThanOrEqual(received.raw.length);
    expect(received.to).toEqual(["rcpt@example.test", "other@catchall.test"]);
    await expectSameMessage(received.raw);
    await client.close();
  });

  it("uses SMTPUTF8 for an internationalised address", async () => {
    const client = createClient({ host: peer.host, port: peer.port });
    const info = await client.send({
      from: USER,
      to: "jörg@example.test",
      subject: "EAI",
      text: "x",
    });
    expect(info.accepted).toEqual(["jörg@example.test"]);
    const received = peer.received.at(-1);
    expect(received?.mailParams.SMTPUTF8).toBe(true);
    // SMTPUTF8 keeps UTF-8 headers raw, so the body is declared 8BITMIME.
    expect(received?.mailParams.BODY).toBe("8BITMIME");
    expect(new TextDecoder().decode(received!.raw)).toContain("To: jörg@example.test");
    expect(received?.to).toEqual(["jörg@example.test"]);
    const parsed = await parse(received!.raw);
    expect(parsed.subject).toBe("EAI");
    expect(parsed.text).toBe("x\n");
    expect(Array.isArray(parsed.to) ? undefined : parsed.to?.value[0]?.address).toBe(
      "jörg@example.test",
    );
    await client.close();
  });

  it("sends non-ASCII content 7-bit safe (no BODY=8BITMIME) to an ASCII envelope", async () => {
    const client = createClient({ host: peer.host, port: peer.port });
    await client.send({
      from: USER,
      to: "a@example.test",
      subject: "Grüße",
      text: "Grüße, wörld\n",
    });
    const received = peer.received.at(-1)!;
    expect(received.mailParams.BODY).toBeUndefined();
    expect(received.mailParams.SMTPUTF8).toBeUndefined();
    expect(received.raw.every((b) => b < 0x80)).toBe(true);
    const parsed = await parse(received.raw);
    expect(parsed.subject).toBe("Grüße");
    expect(parsed.text).toBe("Grüße, wörld\n");
    await client.close();
  });

  it("passes DSN parameters", async () => {
    const client = createClient({ host: peer.host, port: peer.port });
    await client.send(message, {
      dsn: { ret: "HDRS", envid: "env-42", notify: ["FAILURE", "DELAY"] },
    });
    const received = peer.received.at(-1);
    expect(received?.dsn).toEqual({ ret: "HDRS", envid: "env-42" });
    expect(received?.rcptParams.map((p) => p.NOTIFY)).toEqual(["FAILURE,DELAY", "FAILURE,DELAY"]);
    expect(received?.to).toEqual(["rcpt@example.test", "other@catchall.test"]);
    await expectSameMessage(received!.raw);
    await client.close();
  });

  it("honours an explicit envelope (bcc-like delivery)", async () => {
    const client = createClient({ host: peer.host, port: peer.port });
    const info = await client.send({
      from: USER,
      to: "visible@example.test",
      subject: "envelope",
      text: "x",
      envelope: { from: "bounce@example.test", to: ["hidden@example.test"] },
    });
    expect(info.envelope).toEqual({ from: "bounce@example.test", to: ["hidden@example.test"] });
    const received = peer.received.at(-1);
    expect(received?.from).toBe("bounce@example.test");
    expect(received?.to).toEqual(["hidden@example.test"]);
    const parsed = await parse(received!.raw);
    expect(Array.isArray(parsed.to) ? undefined : parsed.to?.text).toBe("visible@example.test");
    await client.close();
  });
});

describe("R10 credentials never appear in the transcript or the debug output", () => {
  let peer: SmtpServerPeer;
  beforeAll(async () => {
    peer = await startSmtpServerPeer({ tls: "none" });
  });
  afterAll(() => peer?.close());

  it.each([
    ["PLAIN", PASS],
    ["LOGIN", PASS],
    ["CRAM-MD5", PASS],
    ["XOAUTH2", TEST_ACCESS_TOKEN],
  ] as const)("with AUTH %s", async (method, secret) => {
    const lines: string[] = [];
    const printed: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => {
      printed.push(args.map(String).join(" "));
    };
    try {
      const client = createClient({
        host: peer.host,
        port: peer.port,
        auth:
          method === "XOAUTH2"
            ? { user: USER, accessToken: secret, method }
            : { user: USER, pass: secret, method },
        transcript: (e) => lines.push(`${e.direction} ${e.text}`),
        debug: true,
      });
      await client.send(message);
      await client.close();
    } finally {
      console.error = original;
    }
    const received = peer.received.at(-1)!;
    expect(received.user).toBe(USER);
    expect(received.to).toEqual(["rcpt@example.test", "other@catchall.test"]);
    await expectSameMessage(received.raw);
    expect(lines.some((l) => l.startsWith(`C AUTH ${method}`))).toBe(true);
    expect(printed.length).toBe(lines.length);
    // Only what the client wrote can carry the secret (a LOGIN prompt "Password:" is not one).
    const output = [...lines, ...printed].filter((l) => !/^S |\] S: /.test(l)).join("\n");
    expect(output).toContain("AUTH");
    for (const needle of forbidden(USER, secret)) expect(output).not.toContain(needle);
  });

  it("a refused password never appears in the error (R14)", async () => {
    const client = createClient({
      host: peer.host,
      port: peer.port,
      auth: { user: USER, pass: "wrong-secret-pw", method: "PLAIN" },
    });
    const error = await expectSmtpError(
      client.send({ from: USER, to: "a@example.test", subject: "x", text: "x" }),
    );
    expect(error.kind).toBe("auth");
    expect(error.code).toBe(535);
    const { inspect } = await import("node:util");
    const serialised = [
      error.message,
      error.stack,
      JSON.stringify(error),
      inspect(error, { depth: 9 }),
    ].join("\n");
    for (const needle of forbidden(USER, "wrong-secret-pw"))
      expect(serialised).not.toContain(needle);
    await client.close();
  });
});

describe("failures", () => {
  it("refuses invalid input before opening any connection", async () => {
    const peer = await startSmtpServerPeer({ tls: "none" });
    try {
      const client = createClient({ host: peer.host, port: peer.port });
      const bad = [
        { from: USER, to: "a@example.test", subject: "x\r\nBcc: evil@example.test", text: "x" },
        { from: USER, to: "not an address", text: "x" },
        { from: USER, text: "no recipient" },
        { from: USER, to: "a@example.test", text: "x", envelope: { to: ["-oQ/tmp@example.test"] } },
      ];
      for (const input of bad) {
        const error = await expectSmtpError(client.send(input as never));
        expect(error.kind).toBe("invalid-input");
      }
      await client.close();
      expect(peer.connectionCount()).toBe(0);
    } finally {
      await peer.close();
    }
  });

  it("times out in the greeting phase against a server that never speaks", async () => {
    const silent = await startSilentServer();
    try {
      const counting = countingConnector();
      const client = createClient({
        host: "127.0.0.1",
        port: silent.port,
        timeouts: { greeting: 150 },
        transport: counting.connector,
      });
      const error = await expectSmtpError(
        client.send({ from: USER, to: "a@example.test", text: "x" }),
      );
      expect(error.kind).toBe("timeout");
      expect(error.phase).toBe("greeting");
      expect(error.retryable).toBe(true);
      expect(counting.transports).toEqual([{ closes: 0, aborts: 1 }]);
    } finally {
      await silent.close();
    }
  });

  it("fails with a non-retryable tls error when the certificate is not trusted", async () => {
    const peer = await startSmtpServerPeer({ tls: "starttls" });
    const other = await createTestCa();
    try {
      const client = createClient({
        host: "127.0.0.1",
        port: peer.port,
        starttls: "required",
        tls: { ca: other.caPem },
      });
      const error = await expectSmtpError(
        client.send({ from: USER, to: "a@example.test", text: "x" }),
      );
      expect(error.kind).toBe("tls");
      expect(error.retryable).toBe(false);
      expect(peer.received.length).toBe(0);
    } finally {
      await peer.close();
    }
  });

  it("fails with tls-required when STARTTLS is required and not offered", async () => {
    const peer = await startSmtpServerPeer({ tls: "none" });
    try {
      const client = createClient({ host: "127.0.0.1", port: peer.port, starttls: "required" });
      const error = await expectSmtpError(
        client.send({ from: USER, to: "a@example.test", text: "x" }),
      );
      expect(error.kind).toBe("tls-required");
      expect(peer.received.length).toBe(0);
    } finally {
      await peer.close();
    }
  });

  it("fails with a retryable connection error when the port is closed", async () => {
    const silent = await startSilentServer();
    const port = silent.port;
    await silent.close();
    const client = createClient({ host: "127.0.0.1", port });
    const error = await expectSmtpError(
      client.send({ from: USER, to: "a@example.test", text: "x" }),
    );
    expect(error.kind).toBe("connection");
    expect(error.retryable).toBe(true);
    await expectSmtpError(client.verify());
  });

  it("an aborted signal rejects with kind aborted; before sending, no connection is opened", async () => {
    const peer = await startSmtpServerPeer({ tls: "none" });
    const silent = await startSilentServer();
    try {
      const early = createClient({ host: peer.host, port: peer.port });
      const error = await expectSmtpError(
        early.send(
          { from: USER, to: "a@example.test", text: "x" },
          { signal: AbortSignal.abort() },
        ),
      );
      expect(error.kind).toBe("aborted");
      expect(peer.connectionCount()).toBe(0);

      const counting = countingConnector();
      const late = createClient({
        host: "127.0.0.1",
        port: silent.port,
        transport: counting.connector,
      });
      const controller = new AbortController();
      const pending = late.send(
        { from: USER, to: "a@example.test", text: "x" },
        { signal: controller.signal },
      );
      setTimeout(() => controller.abort(new Error("changed my mind")), 50);
      const lateError = await expectSmtpError(pending);
      expect(lateError.kind).toBe("aborted");
      expect(counting.transports).toEqual([{ closes: 0, aborts: 1 }]);
    } finally {
      await peer.close();
      await silent.close();
    }
  });

  it("verify() against a silent server: the signal aborts it and the socket is destroyed", async () => {
    const silent = await startSilentServer();
    try {
      const counting = countingConnector();
      const client = createClient({
        host: "127.0.0.1",
        port: silent.port,
        transport: counting.connector,
      });
      const controller = new AbortController();
      const pending = client.verify({ signal: controller.signal });
      setTimeout(() => controller.abort(), 30);
      const error = await expectSmtpError(pending);
      expect(error.kind).toBe("aborted");
      expect(counting.transports).toEqual([{ closes: 0, aborts: 1 }]);
    } finally {
      await silent.close();
    }
  });

  it("leaves no socket or timer behind after send (no pool) and after close (pool)", async () => {
    const base = liveHandles();
    for (const pool of [false, { maxConnections: 2, idleTimeout: 60_000 }] as const) {
      const peer = await startSmtpServerPeer({ tls: "starttls" });
      const client = createClient({
        host: "127.0.0.1",
        port: peer.port,
        tls: { ca: peer.ca.caPem },
        auth: { user: USER, pass: PASS },
        pool,
      });
      await Promise.all(
        Array.from({ length: 3 }, () =>
          client.send({ from: USER, to: "a@example.test", text: "x" }),
        ),
      );
      if (pool) await client.close();
      // The server's end is reaped by closing the peer; what remains would be the client's.
      await peer.close();
      const after = await settledHandles(base);
      expect(after.sockets).toBeLessThanOrEqual(base.sockets);
      expect(after.timers).toBeLessThanOrEqual(base.timers);
    }
  });

  it("leaves no socket or timer behind after a greeting timeout, an untrusted certificate, an abort and an AUTH 535", async () => {
    const silent = await startSilentServer();
    const peer = await startSmtpServerPeer({ tls: "starttls" });
    const other = await createTestCa();
    const base = liveHandles();
    const mail = { from: USER, to: "a@example.test", text: "x" };
    const failures: [string, () => Promise<unknown>][] = [
      [
        "timeout",
        () =>
          createClient({ host: "127.0.0.1", port: silent.port, timeouts: { greeting: 50 } }).send(
            mail,
          ),
      ],
      [
        "tls",
        () =>
          createClient({
            host: "127.0.0.1",
            port: peer.port,
            starttls: "required",
            tls: { ca: other.caPem },
          }).send(mail),
      ],
      [
        "aborted",
        () => {
          const controller = new AbortController();
          setTimeout(() => controller.abort(), 30);
          return createClient({ host: "127.0.0.1", port: silent.port }).send(mail, {
            signal: controller.signal,
          });
        },
      ],
      [
        "auth",
        () =>
          createClient({
            host: "127.0.0.1",
            port: peer.port,
            tls: { ca: peer.ca.caPem },
            auth: { user: USER, pass: "wrong-password" },
          }).send(mail),
      ],
    ];
    try {
      for (const [kind, attempt] of failures) {
        const error = await expectSmtpError(attempt());
        expect(error.kind).toBe(kind);
        const after = await settledHandles(base);
        expect({
          kind,
          sockets: after.sockets <= base.sockets,
          timers: after.timers <= base.timers,
        }).toEqual({ kind, sockets: true, timers: true });
      }
    } finally {
      await silent.close();
      await peer.close();
    }
  });
});
