import { createClient } from "@smtp/client";
import type { Connector } from "@smtp/core/transport-kit";

import { nodeConnector } from "@smtp/transport-node";
import { type SmtpServerPeer, startSmtpServerPeer } from "@smtp-internal/test-peer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectSmtpError } from "./helpers.ts";

const USER = "user@example.test";

/** Connects to the loopback peer whatever host the client was given: a "remote" server in tests. */
function redirect(peer: SmtpServerPeer): Connector {
  const inner = nodeConnector({ tls: { ca: peer.ca.caPem, servername: "localhost" } });
  return (target, signal) => inner({ ...target, host: peer.host, port: peer.port }, signal);
}

describe("security defaults towards a non-loopback host", () => {
  let plain: SmtpServerPeer;
  let starttls: SmtpServerPeer;
  beforeAll(async () => {
    [plain, starttls] = await Promise.all([
      startSmtpServerPeer({ tls: "none" }),
      startSmtpServerPeer({ tls: "starttls" }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([plain?.close(), starttls?.close()]);
  });

  it("R8 STARTTLS is required by default: a server without it is refused before MAIL", async () => {
    const client = createClient({ host: "mail.example.com", transport: redirect(plain) });
    const error = await expectSmtpError(
      client.send({ from: USER, to: "a@example.test", text: "x" }),
    );
    expect(error.kind).toBe("tls-required");
    expect(plain.received).toHaveLength(0);
  });

  it("never sends credentials in cleartext unless allowInsecureAuth", async () => {
    const options = {
      host: "mail.example.com",
      starttls: "never" as const,
      auth: { user: USER, pass: "password" },
      transport: redirect(plain),
    };
    const lines: string[] = [];
    const refused = createClient({ ...options, transcript: (e) => lines.push(e.text) });
    const error = await expectSmtpError(
      refused.send({ from: USER, to: "a@example.test", text: "x" }),
    );
    expect(error.kind).toBe("insecure-auth");
    expect(lines.some((l) => l.startsWith("AUTH"))).toBe(false);

    const allowed = createClient({ ...options, allowInsecureAuth: true });
    const info = await allowed.send({ from: USER, to: "a@example.test", text: "x" });
    expect(info.accepted).toEqual(["a@example.test"]);
    expect(plain.received.at(-1)?.user).toBe(USER);
  });

  it("uses STARTTLS and verifies the certificate against the host name", async () => {
    const good = createClient({
      host: "mail.example.com",
      tls: { servername: "localhost" },
      transport: redirect(starttls),
    });
    const info = await good.send({ from: USER, to: "a@example.test", text: "x" });
    expect(info.accepted).toEqual(["a@example.test"]);
    expect(starttls.received.at(-1)?.secure).toBe(true);

    // The certificate is for localhost, not mail.example.com: refused, not retryable.
    const inner = nodeConnector({ tls: { ca: starttls.ca.caPem } });
    const wrongName = createClient({
      host: "mail.example.com",
      transport: (target, signal) =>
        inner({ ...target, host: starttls.host, port: starttls.port }, signal),
    });
    const error = await expectSmtpError(
      wrongName.send({ from: USER, to: "a@example.test", text: "x" }),
    );
    expect(error.kind).toBe("tls");
    expect(error.retryable).toBe(false);
  });
});
