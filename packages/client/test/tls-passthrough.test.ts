import { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { createClient } from "@smtp/client";
import { createTestCa, type SmtpServerPeer, startSmtpServerPeer } from "@smtp-internal/test-peer";
import { afterEach, describe, expect, it, vi } from "vitest";
import { expectSmtpError } from "./helpers.ts";
import { buildPkcs12 } from "./pkcs12.ts";

const USER = "user@example.test";
const mail = { from: USER, to: "a@example.test", subject: "tls options", text: "x" };

/** What the server saw of each TLS handshake: the client certificate's CN and the version. */
type Handshake = { clientCn: string | undefined; protocol: string | null };

const peers: SmtpServerPeer[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(peers.splice(0).map((p) => p.close()));
});

async function implicitPeer(
  serverOptions: Record<string, unknown>,
): Promise<{ peer: SmtpServerPeer; handshakes: Handshake[] }> {
  const ca = await createTestCa();
  const handshakes: Handshake[] = [];
  const peer = await startSmtpServerPeer({
    tls: "implicit",
    ca,
    serverOptions: {
      ...serverOptions,
      onSecure(socket: TLSSocket, _session: unknown, callback: (e?: Error | null) => void) {
        const cn = socket.getPeerCertificate()?.subject?.CN;
        handshakes.push({ clientCn: cn ? String(cn) : undefined, protocol: socket.getProtocol() });
        callback();
      },
    },
  });
  peers.push(peer);
  return { peer, handshakes };
}

describe("the client passes its tls options to the Node transport", () => {
  it("pfx and passphrase: the PKCS#12 client certificate is presented; a wrong passphrase fails", async () => {
    const ca = await createTestCa();
    const { peer, handshakes } = await implicitPeer({
      // Mutual TLS: no handshake without a client certificate issued by `ca`.
      requestCert: true,
      rejectUnauthorized: true,
      ca: ca.caPem,
    });
    const issued = await ca.issue({ commonName: "pfx client", usage: "client" });
    const pfx = buildPkcs12(issued.certPem, issued.keyPem, "p12-secret");
    const base = { host: "127.0.0.1", port: peer.port, secure: true } as const;

    const info = await createClient({
      ...base,
      tls: { ca: peer.ca.caPem, pfx, passphrase: "p12-secret" },
    }).send(mail);
    expect(info.accepted).toEqual(["a@example.test"]);
    expect(handshakes).toEqual([{ clientCn: "pfx client", protocol: expect.any(String) }]);
    expect(peer.received).toHaveLength(1);

    // Without the certificate the server refuses the handshake: the pfx above did the work.
    await expectSmtpError(createClient({ ...base, tls: { ca: peer.ca.caPem } }).send(mail));
    const wrong = await expectSmtpError(
      createClient({ ...base, tls: { ca: peer.ca.caPem, pfx, passphrase: "wrong" } }).send(mail),
    );
    expect(wrong.retryable).toBe(false);
    expect(peer.received).toHaveLength(1);
  });

  it("minVersion: TLSv1.3 refuses a TLS 1.2-only server (kind tls); the default accepts it", async () => {
    const { peer, handshakes } = await implicitPeer({ maxVersion: "TLSv1.2" });
    const base = { host: "127.0.0.1", port: peer.port, secure: true } as const;
    const error = await expectSmtpError(
      createClient({ ...base, tls: { ca: peer.ca.caPem, minVersion: "TLSv1.3" } }).send(mail),
    );
    expect(error.kind).toBe("tls");
    expect(error.retryable).toBe(false);
    expect(peer.received).toHaveLength(0);

    const info = await createClient({ ...base, tls: { ca: peer.ca.caPem } }).send(mail);
    expect(info.accepted).toEqual(["a@example.test"]);
    expect(handshakes.at(-1)?.protocol).toBe("TLSv1.2");
  });

  it.each(["none", "starttls"] as const)(
    "turns Nagle's algorithm off (TCP_NODELAY) on the %s connection",
    async (tls) => {
      const peer = await startSmtpServerPeer({ tls });
      peers.push(peer);
      const setNoDelay = vi.spyOn(Socket.prototype, "setNoDelay");
      const info = await createClient({
        host: "127.0.0.1",
        port: peer.port,
        starttls: tls === "starttls" ? "required" : "never",
        tls: { ca: peer.ca.caPem },
      }).send(mail);
      expect(info.accepted).toEqual(["a@example.test"]);
      expect(peer.received.at(-1)?.secure).toBe(tls === "starttls");
      // Only the client's socket, the one whose remote end is the peer, counts.
      const clientCalls = setNoDelay.mock.calls.filter(
        (_args, i) => (setNoDelay.mock.contexts[i] as Socket).remotePort === peer.port,
      );
      expect(clientCalls.length).toBeGreaterThan(0);
      expect(clientCalls.every((args) => args[0] === true || args[0] === undefined)).toBe(true);
    },
  );
});
