import { createClient } from "@smtp/client";
import { createTestCa, type SmtpServerPeer, startSmtpServerPeer } from "@smtp-internal/test-peer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectSmtpError } from "./helpers.ts";

// send(message, { requireTls: true }) against smtp-server, which offers REQUIRETLS inside TLS
// (hideREQUIRETLS: false in the test peer), and the refusals: no TLS, no REQUIRETLS,
// certificates not verified. The message is never sent without REQUIRETLS.

const message = { from: "a@example.test", to: "rcpt@example.test", subject: "tls only", text: "x" };

describe("requireTls (RFC 8689) against smtp-server", () => {
  let implicit: SmtpServerPeer;
  let starttls: SmtpServerPeer;
  let plain: SmtpServerPeer;
  let hidden: SmtpServerPeer;
  beforeAll(async () => {
    const ca = await createTestCa();
    [implicit, starttls, plain, hidden] = await Promise.all([
      startSmtpServerPeer({ tls: "implicit", ca }),
      startSmtpServerPeer({ tls: "starttls", ca }),
      startSmtpServerPeer({ tls: "none", ca }),
      startSmtpServerPeer({ tls: "implicit", ca, serverOptions: { hideREQUIRETLS: true } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([implicit?.close(), starttls?.close(), plain?.close(), hidden?.close()]);
  });

  it.each([
    ["implicit TLS", () => implicit, { secure: true }],
    ["STARTTLS", () => starttls, { starttls: "required" as const }],
  ])("over %s: MAIL FROM carries REQUIRETLS", async (_name, peer, extra) => {
    const p = peer();
    const client = createClient({ host: p.host, port: p.port, tls: { ca: p.ca.caPem }, ...extra });
    const before = p.received.length;
    const info = await client.send(message, { requireTls: true });
    await client.close();
    expect(info.accepted).toEqual(["rcpt@example.test"]);
    expect(p.received[before]?.mailParams).toMatchObject({ REQUIRETLS: true });
    expect(p.received[before]?.secure).toBe(true);
    // Without the option, no REQUIRETLS.
    const again = createClient({ host: p.host, port: p.port, tls: { ca: p.ca.caPem }, ...extra });
    await again.send(message);
    await again.close();
    expect(p.received[before + 1]?.mailParams.REQUIRETLS).toBeUndefined();
  });

  it("without TLS (loopback, opportunistic STARTTLS not offered) it is tls-required before MAIL", async () => {
    const lines: string[] = [];
    const client = createClient({
      host: plain.host,
      port: plain.port,
      transcript: (e) => lines.push(`${e.direction} ${e.text}`),
    });
    const error = await expectSmtpError(client.send(message, { requireTls: true }));
    await client.close();
    expect([error.kind, error.detail, error.retryable]).toEqual([
      "tls-required",
      "requiretls-not-tls",
      false,
    ]);
    expect(lines.some((l) => l.startsWith("C MAIL"))).toBe(false);
    expect(plain.received).toEqual([]);
  });

  it("a TLS server that does not offer REQUIRETLS: tls-required, never sent without it", async () => {
    const lines: string[] = [];
    const client = createClient({
      host: hidden.host,
      port: hidden.port,
      secure: true,
      tls: { ca: hidden.ca.caPem },
      pool: true,
      transcript: (e) => lines.push(`${e.direction} ${e.text}`),
    });
    const error = await expectSmtpError(client.send(message, { requireTls: true }));
    expect([error.kind, error.detail]).toEqual(["tls-required", "requiretls-unsupported"]);
    expect(lines.some((l) => l.startsWith("C MAIL"))).toBe(false);
    // The pool does not retry it elsewhere either; the next message is unaffected.
    await client.send(message);
    await client.close();
    expect(hidden.received.length).toBe(1);
  });

  it("with certificates not verified, or a non-boolean, it is refused before any connection", async () => {
    const before = implicit.connectionCount();
    const lax = createClient({
      host: implicit.host,
      port: implicit.port,
      secure: true,
      tls: { rejectUnauthorized: false },
    });
    const error = await expectSmtpError(lax.send(message, { requireTls: true }));
    expect(error.kind).toBe("tls-required");
    expect(error.message).toMatch(/rejectUnauthorized is false/);
    const typo = await expectSmtpError(lax.send(message, { requireTls: "yes" as never }));
    expect(typo.kind).toBe("invalid-input");
    await lax.close();
    expect(implicit.connectionCount()).toBe(before);
  });
});
