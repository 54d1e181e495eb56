// @smtp/client through real proxies on loopback: Dante (SOCKS5) and tinyproxy (HTTP CONNECT),
// each without and with a user name and password, as `scripts/proxy-servers.sh` runs them,
// to smtp-server and Postfix, with STARTTLS and implicit TLS. Skipped (and announced) when
// the proxies are not running; under CI a missing proxy fails (proxyEnv throws).
import { inspect } from "node:util";
import { createClient, type SmtpClient, SmtpError } from "@smtp/client";
import { httpProxy, socksProxy } from "@smtp/proxy";
import {
  createTestCa,
  hasPostfix,
  maildirOf,
  postfixEnv,
  proxyEnv,
  type SmtpServerPeer,
  startSmtpServerPeer,
  type TestCa,
  waitForMaildirMessage,
} from "@smtp-internal/test-peer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectSmtpError, forbiddenSecrets } from "./helpers.ts";

const proxies = proxyEnv();
if (!proxies) {
  console.warn(
    "@smtp/client: proxy tests skipped: the proxies are not running (bash scripts/proxy-servers.sh start, then export .proxy-state/env)",
  );
}

const USER = "user@example.test";
const PASS = "password";
const unique = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/** The four proxies as URLs, the short form. */
function proxyUrls(): [string, string][] {
  const p = proxies!;
  const auth = `${encodeURIComponent(p.user)}:${encodeURIComponent(p.pass)}@`;
  return [
    ["Dante, no authentication", `socks5://${p.host}:${p.socksPort}`],
    ["Dante, user name and password", `socks5://${auth}${p.host}:${p.socksAuthPort}`],
    ["tinyproxy, no authentication", `http://${p.host}:${p.httpPort}`],
    ["tinyproxy, Basic authentication", `http://${auth}${p.host}:${p.httpAuthPort}`],
  ];
}

async function sendOne(client: SmtpClient, subject: string) {
  try {
    return await client.send({
      from: USER,
      to: USER,
      subject,
      text: `through a proxy: ${subject}`,
    });
  } finally {
    await client.close();
  }
}

describe.skipIf(!proxies)("through real proxies, to smtp-server", () => {
  let ca: TestCa;
  let starttls: SmtpServerPeer;
  let implicit: SmtpServerPeer;
  beforeAll(async () => {
    ca = await createTestCa();
    starttls = await startSmtpServerPeer({ ca, tls: "starttls" });
    implicit = await startSmtpServerPeer({ ca, tls: "implicit" });
  });
  afterAll(async () => {
    await starttls?.close();
    await implicit?.close();
  });

  for (const [name, index] of [
    ["Dante, no authentication", 0],
    ["Dante, user name and password", 1],
    ["tinyproxy, no authentication", 2],
    ["tinyproxy, Basic authentication", 3],
  ] as const) {
    it(`${name}: STARTTLS and AUTH, then implicit TLS; the mail server sees TLS`, async () => {
      const url = proxyUrls()[index]![1];
      for (const peer of [starttls, implicit]) {
        const subject = `${peer.tls} via ${name} ${unique()}`;
        const client = createClient({
          host: "localhost",
          port: peer.port,
          secure: peer.tls === "implicit",
          starttls: "required",
          tls: { ca: ca.caPem },
          auth: { user: USER, pass: PASS },
          name: "client.example.test",
          proxy: url,
        });
        const info = await sendOne(client, subject);
        expect(info.accepted).toEqual([USER]);
        const received = peer.received.find((m) =>
          new TextDecoder().decode(m.raw).includes(subject),
        );
        expect(received?.secure).toBe(true);
        expect(received?.user).toBe(USER);
      }
    });
  }

  it("socksProxy() and httpProxy() objects work as the `proxy` option too", async () => {
    const p = proxies!;
    for (const proxy of [
      socksProxy({ host: p.host, port: p.socksAuthPort, user: p.user, pass: p.pass }),
      httpProxy({ url: `http://${p.user}:${p.pass}@${p.host}:${p.httpAuthPort}` }),
    ]) {
      expect(proxy.url).not.toContain(p.pass);
      const client = createClient({
        host: "localhost",
        port: starttls.port,
        tls: { ca: ca.caPem },
        proxy,
      });
      const info = await sendOne(client, `object ${proxy.protocol} ${unique()}`);
      expect(info.accepted).toEqual([USER]);
    }
  });

  it("verifies the mail server's name, never the proxy's", async () => {
    // A certificate for "localhost" only (no IP address in it), the proxy at 127.0.0.1.
    const leaf = await ca.issue({ dns: ["localhost"] });
    const peer = await startSmtpServerPeer({
      ca,
      tls: "implicit",
      serverOptions: { key: leaf.keyPem, cert: leaf.fullchainPem },
    });
    try {
      for (const [, url] of proxyUrls()) {
        // The mail server by its name: verified, although the proxy is 127.0.0.1.
        const ok = createClient({
          host: "localhost",
          port: peer.port,
          secure: true,
          tls: { ca: ca.caPem },
          proxy: url,
        });
        expect((await sendOne(ok, `name ${unique()}`)).accepted).toEqual([USER]);
        // The mail server by an address its certificate lacks: refused, even with the
        // proxy reached as "localhost", the name the certificate does hold.
        const viaLocalhost = url.replace("127.0.0.1", "localhost");
        for (const proxy of [url, viaLocalhost]) {
          const wrong = createClient({
            host: "127.0.0.1",
            port: peer.port,
            secure: true,
            tls: { ca: ca.caPem },
            proxy,
          });
          const error = await expectSmtpError(sendOne(wrong, "never sent"));
          expect(error.kind).toBe("tls");
          expect(error.retryable).toBe(false);
          expect(error.message).toContain("through the");
        }
      }
      expect(peer.received).toHaveLength(proxyUrls().length);
    } finally {
      await peer.close();
    }
  });

  it("STARTTLS through a tunnel checks the name too, and `tls.servername` overrides it", async () => {
    const leaf = await ca.issue({ dns: ["mail.example.test"] });
    const peer = await startSmtpServerPeer({
      ca,
      serverOptions: { key: leaf.keyPem, cert: leaf.fullchainPem },
    });
    try {
      const url = proxyUrls()[0]![1];
      const refused = createClient({
        host: "127.0.0.1",
        port: peer.port,
        starttls: "required",
        tls: { ca: ca.caPem },
        proxy: url,
      });
      expect((await expectSmtpError(sendOne(refused, "x"))).kind).toBe("tls");
      const named = createClient({
        host: "127.0.0.1",
        port: peer.port,
        starttls: "required",
        tls: { ca: ca.caPem, servername: "mail.example.test" },
        proxy: url,
      });
      expect((await sendOne(named, `servername ${unique()}`)).accepted).toEqual([USER]);
    } finally {
      await peer.close();
    }
  });

  it("a refused password is `proxy-auth`, and no error, stack or transcript shows it", async () => {
    const p = proxies!;
    const secret = "wrong-proxy-secret";
    for (const url of [
      `socks5://${p.user}:${secret}@${p.host}:${p.socksAuthPort}`,
      `http://${p.user}:${secret}@${p.host}:${p.httpAuthPort}`,
    ]) {
      const lines: string[] = [];
      const client = createClient({
        host: "localhost",
        port: starttls.port,
        tls: { ca: ca.caPem },
        proxy: url,
        transcript: (entry) => lines.push(entry.text),
      });
      const error = await expectSmtpError(sendOne(client, "never sent"));
      expect(error).toMatchObject({ kind: "connection", detail: "proxy-auth", retryable: false });
      const serialised = [
        error.message,
        error.stack,
        JSON.stringify(error),
        inspect(error, { depth: 9 }),
        String(error.cause),
        lines.join("\n"),
      ].join("\n");
      for (const needle of forbiddenSecrets(p.user, secret)) {
        expect(serialised).not.toContain(needle);
      }
      expect(serialised).not.toContain(Buffer.from(`${p.user}:${secret}`).toString("base64"));
    }
  });

  it("no credentials where they are required is `proxy-auth`", async () => {
    const p = proxies!;
    for (const url of [
      `socks5://${p.host}:${p.socksAuthPort}`,
      `http://${p.host}:${p.httpAuthPort}`,
    ]) {
      const client = createClient({ host: "localhost", port: starttls.port, proxy: url });
      const error = await expectSmtpError(sendOne(client, "never sent"));
      expect(error).toMatchObject({ kind: "connection", detail: "proxy-auth" });
      expect(error.message).toMatch(/requires authentication/);
    }
  });

  it("a proxy that cannot be reached is `proxy-unreachable`, retryable", async () => {
    const closed = await startSmtpServerPeer({ tls: "none" });
    const port = closed.port;
    await closed.close();
    for (const url of [`socks5://127.0.0.1:${port}`, `http://127.0.0.1:${port}`]) {
      const client = createClient({ host: "localhost", port: starttls.port, proxy: url });
      const error = await expectSmtpError(sendOne(client, "never sent"));
      expect(error).toMatchObject({
        kind: "connection",
        detail: "proxy-unreachable",
        retryable: true,
      });
      expect(error.cause).toBeInstanceOf(SmtpError);
      expect((error.cause as SmtpError).detail).toBe("ECONNREFUSED");
    }
  });

  it("a mail server the proxy cannot reach is `proxy-refused`, with the proxy's reason", async () => {
    const closed = await startSmtpServerPeer({ tls: "none" });
    const port = closed.port;
    await closed.close();
    for (const [, url] of proxyUrls()) {
      const client = createClient({ host: "127.0.0.1", port, proxy: url });
      const error = await expectSmtpError(sendOne(client, "never sent"));
      expect(error).toMatchObject({ kind: "connection", detail: "proxy-refused" });
      expect(error.message).toMatch(/proxy 127\.0\.0\.1:\d+/);
    }
  });
});

describe.skipIf(!proxies || !hasPostfix())("through real proxies, to Postfix", () => {
  // Four deliveries through Postfix, each awaited in a Maildir: more than the default 20 s on a loaded machine.
  it("submission (STARTTLS + AUTH) and smtps (implicit TLS) through each proxy; delivered", async () => {
    const env = (await postfixEnv())!;
    for (const [name, url] of proxyUrls()) {
      for (const [port, secure] of [
        [env.submissionPort, false],
        [env.smtpsPort, true],
      ] as const) {
        const id = unique();
        const client = createClient({
          host: "localhost",
          port,
          secure,
          starttls: "required",
          tls: { ca: env.caPem },
          auth: { user: env.user, pass: env.pass },
          name: "client.example.test",
          proxy: url,
        });
        let info: Awaited<ReturnType<SmtpClient["send"]>>;
        try {
          info = await client.send({
            from: env.user,
            to: env.user,
            subject: `via ${name} ${id}`,
            text: `Through ${name} (${secure ? "smtps" : "submission"}) ${id}\n`,
          });
        } finally {
          await client.close();
        }
        expect(info.accepted).toEqual([env.user]);
        const found = await waitForMaildirMessage(maildirOf(env, env.user), (_raw, text) =>
          text.includes(id),
        );
        // Postfix records the TLS session it had with the client in its Received header.
        expect(new TextDecoder().decode(found.raw)).toMatch(/with ESMTPS?A/);
      }
    }
  }, 60_000);
});
