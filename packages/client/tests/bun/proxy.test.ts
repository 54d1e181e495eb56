// @smtp/client on Bun through the real proxies of scripts/proxy-servers.sh (Dante for
// SOCKS5, tinyproxy for HTTP CONNECT; each open and with a password), to smtp-server run in
// this process, with STARTTLS and implicit TLS. Skipped without the proxies, failed under CI.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  createTestCa,
  proxyEnv,
  type SmtpServerPeer,
  startSmtpServerPeer,
  type TestCa,
} from "@smtp-internal/test-peer";
import { createClient, type SmtpError } from "../../src/index.ts";

const proxies = proxyEnv();
const auth = { user: "user@example.test", pass: "password" };
let ca: TestCa;
let starttls: SmtpServerPeer;
let implicit: SmtpServerPeer;

describe.skipIf(!proxies)("through real proxies on Bun", () => {
  beforeAll(async () => {
    ca = await createTestCa();
    starttls = await startSmtpServerPeer({ tls: "starttls", ca });
    implicit = await startSmtpServerPeer({ tls: "implicit", ca });
  });
  afterAll(async () => {
    await starttls?.close();
    await implicit?.close();
  });

  const urls = () => {
    const p = proxies!;
    const creds = `${p.user}:${p.pass}@`;
    return [
      `socks5://${p.host}:${p.socksPort}`,
      `socks5://${creds}${p.host}:${p.socksAuthPort}`,
      `http://${p.host}:${p.httpPort}`,
      `http://${creds}${p.host}:${p.httpAuthPort}`,
    ];
  };

  test("STARTTLS and implicit TLS through each proxy, verified against the server's name", async () => {
    for (const proxy of urls()) {
      for (const peer of [starttls, implicit]) {
        const client = createClient({
          host: "localhost",
          port: peer.port,
          secure: peer === implicit,
          starttls: "required",
          tls: { ca: ca.caPem },
          auth,
          proxy,
        });
        try {
          const info = await client.send({
            from: auth.user,
            to: auth.user,
            subject: proxy,
            text: "x",
          });
          expect(info.accepted).toEqual([auth.user]);
        } finally {
          await client.close();
        }
        expect(peer.received.at(-1)?.secure).toBe(true);
      }
    }
  }, 30_000);

  test("a wrong proxy password is proxy-auth and never shown", async () => {
    const p = proxies!;
    for (const proxy of [
      `socks5://${p.user}:wrong-proxy-pw@${p.host}:${p.socksAuthPort}`,
      `http://${p.user}:wrong-proxy-pw@${p.host}:${p.httpAuthPort}`,
    ]) {
      const client = createClient({
        host: "localhost",
        port: starttls.port,
        tls: { ca: ca.caPem },
        proxy,
      });
      const error = (await client
        .send({ from: auth.user, to: auth.user, subject: "x", text: "x" })
        .catch((e: unknown) => e)) as SmtpError;
      await client.close();
      expect(error.kind).toBe("connection");
      expect(error.detail).toBe("proxy-auth");
      expect(`${error.message}${error.stack}${JSON.stringify(error)}`).not.toContain(
        "wrong-proxy-pw",
      );
    }
  });
});
