// @smtp/client inside workerd (through miniflare): it picks @smtp/transport-cloudflare by
// itself, its bundle reaches no node:* module statically, it asks for `name`, and it sends
// to smtp-server on loopback in plaintext, with STARTTLS and AUTH, with implicit TLS, and
// through a SOCKS5 proxy. workerd trusts the test CA only per network service (TRUSTED),
// so the TLS scenarios connect through it; with the runtime's own connect() the test CA is
// untrusted, as a private CA is on Cloudflare.
import {
  createTestCa,
  proxyEnv,
  type SmtpServerPeer,
  startSmtpServerPeer,
  type TestCa,
} from "@smtp-internal/test-peer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bundleWorker,
  startWorker,
  trustingNetwork,
} from "../../transport-cloudflare/test/workerd/workerd.ts";

type Miniflare = Awaited<ReturnType<typeof startWorker>>;

const USER = { user: "user@example.test", pass: "password" };
let ca: TestCa;
let mf: Miniflare;
let bundle: string;
const peers: Record<"none" | "starttls" | "implicit", SmtpServerPeer> = {} as never;

beforeAll(async () => {
  ca = await createTestCa();
  for (const tls of ["none", "starttls", "implicit"] as const) {
    peers[tls] = await startSmtpServerPeer({ ca, tls });
  }
  bundle = await bundleWorker(new URL("./workerd/client-worker.ts", import.meta.url).pathname);
  mf = await startWorker(bundle, { serviceBindings: { TRUSTED: trustingNetwork(ca.caPem) } });
});

afterAll(async () => {
  await mf?.dispose();
  for (const peer of Object.values(peers)) await peer?.close();
});

type Outcome = {
  ok: boolean;
  accepted?: string[];
  kind?: string;
  detail?: string;
  retryable?: boolean;
  message?: string;
};

async function run(scenario: Record<string, unknown>): Promise<Outcome> {
  const response = await mf.dispatchFetch("http://worker/", {
    method: "POST",
    body: JSON.stringify({
      subject: `workerd ${Math.random().toString(36).slice(2)}`,
      ...scenario,
    }),
  });
  return (await response.json()) as Outcome;
}

const received = (peer: SmtpServerPeer) => peer.received.at(-1);

describe("@smtp/client in workerd", () => {
  it("the bundle imports no node:* module, nor the Node or Deno transport", () => {
    expect(bundle).not.toMatch(/(?:from|import\(|require\()\s*"node:/);
    expect(bundle).not.toMatch(/function (?:nodeConnector|denoConnector)\b/);
    expect(bundle).toMatch(/function cloudflareConnector\b/);
    expect(bundle).toContain('import("cloudflare:sockets")');
  });

  it("picks the Cloudflare transport by itself: plaintext to loopback", async () => {
    const outcome = await run({
      host: "127.0.0.1",
      port: peers.none.port,
      starttls: "never",
      name: "worker.example.test",
    });
    expect(outcome).toMatchObject({ ok: true, accepted: [USER.user] });
    expect(received(peers.none)?.secure).toBe(false);
  });

  it("requires `name`, saying why", async () => {
    const outcome = await run({ host: "127.0.0.1", port: peers.none.port, starttls: "never" });
    expect(outcome).toMatchObject({ ok: false, kind: "invalid-input", detail: "bad-ehlo-name" });
    expect(outcome.message).toMatch(/name is required on Cloudflare Workers.*no host name/);
  });

  it("STARTTLS and AUTH, and implicit TLS, verified against the test CA", async () => {
    for (const [tls, secure] of [
      ["starttls", false],
      ["implicit", true],
    ] as const) {
      const outcome = await run({
        host: "localhost",
        port: peers[tls].port,
        secure,
        starttls: "required",
        name: "worker.example.test",
        auth: USER,
        trusted: true,
      });
      expect(outcome).toMatchObject({ ok: true, accepted: [USER.user] });
      expect(received(peers[tls])).toMatchObject({ secure: true, user: USER.user });
    }
  });

  it("a certificate the Worker does not trust fails kind tls, not retryable, for both TLS modes", async () => {
    for (const [tls, secure] of [
      ["starttls", false],
      ["implicit", true],
    ] as const) {
      const outcome = await run({
        host: "localhost",
        port: peers[tls].port,
        secure,
        name: "worker.example.test",
        auth: USER,
      });
      expect(outcome).toMatchObject({
        ok: false,
        kind: "tls",
        detail: "tls-handshake",
        retryable: false,
      });
    }
  });

  it("refuses `tls.ca`, which Workers cannot honour per connection", async () => {
    const outcome = await run({
      host: "localhost",
      port: peers.starttls.port,
      name: "worker.example.test",
      tls: { ca: ca.caPem },
    });
    expect(outcome).toMatchObject({ ok: false, kind: "invalid-input" });
    expect(outcome.message).toMatch(/tls\.ca is not supported on Cloudflare Workers/);
  });

  it("a connection workerd cannot open is connect-failed, retryable", async () => {
    const closed = await startSmtpServerPeer({ tls: "none" });
    await closed.close();
    const outcome = await run({
      host: "127.0.0.1",
      port: closed.port,
      starttls: "never",
      name: "worker.example.test",
    });
    expect(outcome).toMatchObject({
      ok: false,
      kind: "connection",
      detail: "connect-failed",
      retryable: true,
    });
  });

  const proxies = proxyEnv();
  it.skipIf(!proxies)(
    "through a SOCKS5 and an HTTP proxy, STARTTLS inside the tunnel",
    async () => {
      const p = proxies!;
      for (const proxy of [
        `socks5://${p.user}:${p.pass}@${p.host}:${p.socksAuthPort}`,
        `http://${p.user}:${p.pass}@${p.host}:${p.httpAuthPort}`,
      ]) {
        const outcome = await run({
          host: "localhost",
          port: peers.starttls.port,
          starttls: "required",
          name: "worker.example.test",
          auth: USER,
          proxy,
          trusted: true,
        });
        expect(outcome).toMatchObject({ ok: true, accepted: [USER.user] });
        expect(received(peers.starttls)).toMatchObject({ secure: true, user: USER.user });
      }
    },
  );
});
