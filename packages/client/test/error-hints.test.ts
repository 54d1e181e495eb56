import { createClient, type SmtpClient } from "@smtp/client";
import type { Connector } from "@smtp/core/transport-kit";

import { nodeConnector } from "@smtp/transport-node";
import {
  createTestCa,
  hasPostfix,
  type PostfixEnv,
  postfixEnv,
  type SmtpServerPeer,
  startSmtpServerPeer,
  TEST_USERS,
} from "@smtp-internal/test-peer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectSmtpError } from "./helpers.ts";

// Every error with a usual cure names the option to change, while kind, code and response
// stay as they were. Real servers throughout: smtp-server in-process, and the Postfix peer.

const [USER, PASS] = Object.entries(TEST_USERS)[0]!;
const message = { from: USER, to: "a@example.test", text: "x" };

/** Connects to the loopback peer whatever host the client names: a "remote" server. */
function redirect(peer: SmtpServerPeer, ca: string | undefined = peer.ca.caPem): Connector {
  const inner = nodeConnector(ca === undefined ? {} : { tls: { ca } });
  return (target, signal) => inner({ ...target, host: peer.host, port: peer.port }, signal);
}

async function failure(client: SmtpClient, how: "send" | "verify" = "send") {
  const error = await expectSmtpError(how === "send" ? client.send(message) : client.verify());
  await client.close();
  return error;
}

describe("error messages name the fix (smtp-server)", () => {
  let plain: SmtpServerPeer;
  let starttls: SmtpServerPeer;
  let implicit: SmtpServerPeer;
  beforeAll(async () => {
    [plain, starttls, implicit] = await Promise.all([
      startSmtpServerPeer({ tls: "none" }),
      startSmtpServerPeer({ tls: "starttls" }),
      startSmtpServerPeer({ tls: "implicit" }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([plain?.close(), starttls?.close(), implicit?.close()]);
  });

  it("tls-required (a dev server without TLS): starttls opportunistic or never", async () => {
    const error = await failure(
      createClient({ host: "mailpit.internal", transport: redirect(plain) }),
    );
    expect(error.kind).toBe("tls-required");
    expect(error.message).toContain('starttls: "opportunistic"');
    expect(error.message).toContain('starttls: "never"');
    expect(error.message).toContain("Mailpit");
  });

  it("insecure-auth: allowInsecureAuth", async () => {
    const error = await failure(
      createClient({
        host: "mailpit.internal",
        starttls: "never",
        auth: { user: USER, pass: PASS },
        transport: redirect(plain),
      }),
      "verify",
    );
    expect(error.kind).toBe("insecure-auth");
    expect(error.message).toContain("allowInsecureAuth: true");
  });

  it("an untrusted (private CA) certificate: tls.ca, and rejectUnauthorized for tests only", async () => {
    const error = await failure(
      createClient({ host: "localhost", port: starttls.port, starttls: "required" }),
    );
    expect(error.kind).toBe("tls");
    expect(error.message).toContain("tls.ca");
    expect(error.message).toContain("tls.rejectUnauthorized: false");
    expect(error.message).toContain("throwaway test only");
  });

  it("a certificate for another name: tls.servername", async () => {
    const error = await failure(
      createClient({
        host: "mail.example.com",
        starttls: "required",
        tls: { ca: starttls.ca.caPem },
        transport: (target, signal) =>
          nodeConnector({ tls: { ca: starttls.ca.caPem } })(
            { ...target, host: starttls.host, port: starttls.port },
            signal,
          ),
      }),
    );
    expect(error.kind).toBe("tls");
    expect(error.message).toContain("tls.servername");
    expect(error.message).toContain("mail.example.com");
  });

  it("an expired certificate: renew it", async () => {
    const ca = await createTestCa();
    const expired = await ca.issue({
      dns: ["localhost"],
      notBefore: new Date(Date.now() - 3 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    const peer = await startSmtpServerPeer({
      tls: "implicit",
      ca,
      serverOptions: { key: expired.keyPem, cert: expired.fullchainPem },
    });
    try {
      const error = await failure(
        createClient({ host: "localhost", port: peer.port, secure: true, tls: { ca: ca.caPem } }),
      );
      expect(error.kind).toBe("tls");
      expect(error.message).toContain("expired");
      expect(error.message).toContain("renewed");
    } finally {
      await peer.close();
    }
  });

  it("plaintext to an implicit-TLS port: a greeting time-out that says secure: true", async () => {
    const error = await failure(
      createClient({ host: "127.0.0.1", port: implicit.port, timeouts: { greeting: 300 } }),
    );
    expect(error.kind).toBe("timeout");
    expect(error.phase).toBe("greeting");
    expect(error.message).toContain("secure: true");
    expect(error.message).toContain(`port ${implicit.port}`);
  });

  it("a refused AUTH: the server's text in the message; code and response kept", async () => {
    const error = await failure(
      createClient({
        host: "127.0.0.1",
        port: starttls.port,
        tls: { ca: starttls.ca.caPem, servername: "localhost" },
        auth: { user: USER, pass: "wrong password" },
      }),
      "verify",
    );
    expect(error.kind).toBe("auth");
    expect(error.code).toBe(535);
    expect(error.response).toBe("Invalid username or password");
    expect(error.message).toContain('the server said "535 5.7.8 Invalid username or password"');
    expect(error.message).toContain("Check auth.user and auth.pass");
    expect(error.message).not.toContain("wrong password");
  });

  it.each([
    [
      "Gmail (by host): app passwords",
      "smtp.gmail.com",
      "5.7.8 Username and Password not accepted. For more information, go to\n5.7.8  https://support.google.com/mail/?p=BadCredentials",
      "app password",
    ],
    [
      "Microsoft 365 (by text): SMTP AUTH disabled",
      "mail.example.com",
      "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.",
      "enable Authenticated SMTP",
    ],
    [
      "Amazon SES (by host): SMTP credentials",
      "email-smtp.eu-west-1.amazonaws.com",
      "Authentication Credentials Invalid",
      "SMTP credentials created in the SES console",
    ],
  ])("provider hints: %s", async (_name, host, text, hint) => {
    const peer = await startSmtpServerPeer({
      tls: "starttls",
      serverOptions: {
        onAuth: (_auth, _session, callback) =>
          callback(Object.assign(new Error(text), { responseCode: 535 })),
      },
    });
    try {
      const error = await failure(
        createClient({
          host,
          tls: { servername: "localhost" },
          auth: { user: USER, pass: PASS },
          transport: redirect(peer),
        }),
      );
      expect(error.kind).toBe("auth");
      expect(error.code).toBe(535);
      expect(error.message).toContain(text.split("\n")[0]!.slice(6, 40));
      expect(error.message).toContain(hint);
    } finally {
      await peer.close();
    }
  });

  it("a refused access token (XOAUTH2): expiry, scope and a token function", async () => {
    const error = await failure(
      createClient({
        host: "smtp.gmail.com",
        tls: { servername: "localhost" },
        auth: { user: USER, accessToken: "expired-token" },
        transport: redirect(starttls),
      }),
    );
    expect(error.kind).toBe("auth");
    expect(error.message).toContain("access token was refused");
    expect(error.message).toContain("https://mail.google.com/");
    expect(error.message).not.toContain("expired-token");
  });

  it("one failure shared by queued sends stays one error object", async () => {
    const client = createClient({ host: "mailpit.internal", transport: redirect(plain) });
    const [a, b] = await Promise.all([
      expectSmtpError(client.send(message)),
      expectSmtpError(client.send(message)),
    ]);
    await client.close();
    expect(a.message).toContain('starttls: "opportunistic"');
    expect(b.message.match(/starttls: "opportunistic"/g)).toHaveLength(1);
  });
});

describe.skipIf(!hasPostfix())("error messages name the fix (Postfix)", () => {
  let env: PostfixEnv;
  beforeAll(async () => {
    env = (await postfixEnv())!;
  });

  it("TLS required on Postfix's port without TLS", async () => {
    const error = await failure(
      createClient({ host: env.host, port: env.plainPort, starttls: "required" }),
    );
    expect(error.kind).toBe("tls-required");
    expect(error.message).toContain('starttls: "opportunistic"');
  });

  it("an untrusted certificate (Postfix's private CA not given)", async () => {
    const error = await failure(
      createClient({ host: "localhost", port: env.submissionPort, starttls: "required" }),
      "verify",
    );
    expect(error.kind).toBe("tls");
    expect(error.message).toContain("tls.ca");
  });

  it("plaintext to Postfix's implicit-TLS port: secure: true", async () => {
    const error = await failure(
      createClient({
        host: env.host,
        port: env.smtpsPort,
        secure: false,
        timeouts: { greeting: 500 },
      }),
      "verify",
    );
    expect(error.kind).toBe("timeout");
    expect(error.message).toContain("secure: true");
  });

  it("Postfix refusing the password: its own text in the message", async () => {
    const error = await failure(
      createClient({
        host: env.host,
        port: env.submissionPort,
        tls: { ca: env.caPem, servername: "localhost" },
        auth: { user: env.user, pass: "not the password" },
      }),
      "verify",
    );
    expect(error.kind).toBe("auth");
    expect(error.code).toBe(535);
    expect(error.message).toContain(`the server said "535 ${error.enhancedCode}`);
    expect(error.message).toContain(error.response!.split("\n")[0]!);
  });
});
